// SPDX-License-Identifier: MIT
#include "jsonlinepipeline.h"

#include "plainjsonline.h"

namespace Inspector::SqliteInternal {

JsonLinePipeline::JsonLinePipeline(const PersistenceBackend::JsonLinesSink& sink)
    : m_sink(sink)
    , m_thread([this] { run(); })
{
}

JsonLinePipeline::~JsonLinePipeline()
{
    stop();
}

void JsonLinePipeline::stop()
{
    {
        std::unique_lock lock(m_mutex);
        m_closed = true;
        m_todo.clear(); // after a stop or an error: not written
        m_wake.notify_all();
    }
    if (m_thread.joinable())
        m_thread.join();
}

bool JsonLinePipeline::push(Block&& block)
{
    if (m_stopped)
        return false;
    {
        std::unique_lock lock(m_mutex);
        m_todo.push_back(std::move(block));
        ++m_outstanding;
        m_wake.notify_all();
    }
    return drain(kInFlight - 1);
}

bool JsonLinePipeline::finish()
{
    if (m_stopped)
        return false;
    const bool go = drain(0);
    stop();
    return go;
}

bool JsonLinePipeline::drain(int keepOutstanding)
{
    for (;;) {
        Done done;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return !m_done.empty() || m_error || m_outstanding <= keepOutstanding; });
            if (m_error)
                std::rethrow_exception(m_error);
            if (m_done.empty())
                return true;
            done = std::move(m_done.front());
            m_done.pop_front();
            if (done.lastOfBlock)
                --m_outstanding;
        }
        if (done.count == 0 && done.issues.isEmpty())
            continue; // a block whose large line went on by itself
        // on this thread, outside the lock: the sink may take its time (a full pipe, a slow disk)
        if (!m_sink(done.lines, done.count, done.issues)) {
            m_stopped = true;
            stop();
            return false;
        }
    }
}

void JsonLinePipeline::run()
{
    try {
        for (;;) {
            Block block;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [&] { return !m_todo.empty() || m_closed; });
                if (m_todo.empty())
                    return;
                block = std::move(m_todo.front());
                m_todo.pop_front();
            }
            write(block);
        }
    } catch (...) {
        std::unique_lock lock(m_mutex);
        m_error = std::current_exception();
        m_wake.notify_all();
    }
}

void JsonLinePipeline::write(Block& block)
{
    Done done;
    done.issues = std::move(block.issues);
    auto hand = [&](Done&& d) {
        std::unique_lock lock(m_mutex);
        m_done.push_back(std::move(d));
        m_wake.notify_all();
    };
    // about what the lines take: the captures plus the keys
    done.lines.reserve(block.arena.size() + block.lines.size() * 320);
    for (Line& line : block.lines) {
        if (line.capture >= 0) {
            appendPlainLine(done.lines, restorePlainCells(block.arena.constData() + line.capture));
            ++done.count;
        } else if (line.ready.size() >= kLargeLine) {
            // a large memory's line goes on by itself: a copy would hold it twice
            if (done.count > 0 || !done.issues.isEmpty())
                hand(std::exchange(done, Done()));
            hand(Done {std::exchange(line.ready, QByteArray()), 1, {}, false});
        } else if (!line.ready.isEmpty()) {
            done.lines.append(line.ready);
            ++done.count;
        }
    }
    done.lastOfBlock = true;
    hand(std::move(done));
}

} // namespace Inspector::SqliteInternal
