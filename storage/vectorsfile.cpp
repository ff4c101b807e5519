// SPDX-License-Identifier: MIT
#include "vectorsfile.h"

#include "filesystem/memoryfile.h"
#include "jsonl.h"
#include "storageerror.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

// A small JSON reader for the two shapes here: a vectors.idx of hundreds of megabytes is read without building
// a QJsonDocument, and floats go straight to f32 (through double they could round twice).
struct Reader
{
    const char* p;
    const char* end;
    QString error;

    bool fail(const QString& why)
    {
        if (error.isEmpty())
            error = why;
        return false;
    }
    void ws()
    {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            ++p;
    }
    bool eat(char c)
    {
        ws();
        if (p < end && *p == c) {
            ++p;
            return true;
        }
        return false;
    }
    bool expect(char c) { return eat(c) || fail(u"expected '"_s + QChar::fromLatin1(c) + u'\''); }

    bool string(QString* out)
    {
        if (!expect('"'))
            return false;
        const char* chunk = p;
        while (p < end && *p != '"') {
            if (*p != '\\') {
                ++p;
                continue;
            }
            out->append(QString::fromUtf8(chunk, p - chunk));
            if (++p >= end)
                return fail(u"unterminated string"_s);
            const char c = *p++;
            switch (c) {
            case '"':
            case '\\':
            case '/':
                out->append(QChar::fromLatin1(c));
                break;
            case 'b':
                out->append(u'\b');
                break;
            case 'f':
                out->append(u'\f');
                break;
            case 'n':
                out->append(u'\n');
                break;
            case 'r':
                out->append(u'\r');
                break;
            case 't':
                out->append(u'\t');
                break;
            case 'u': {
                unsigned code = 0;
                if (end - p < 4 || std::from_chars(p, p + 4, code, 16).ptr != p + 4)
                    return fail(u"bad \\u escape"_s);
                p += 4;
                out->append(QChar(char16_t(code))); // surrogate halves pair up in the QString
                break;
            }
            default:
                return fail(u"bad escape"_s);
            }
            chunk = p;
        }
        if (p >= end)
            return fail(u"unterminated string"_s);
        out->append(QString::fromUtf8(chunk, p - chunk));
        ++p;
        return true;
    }

    const char* numberEnd() const
    {
        const char* q = p;
        while (q < end && ((*q >= '0' && *q <= '9') || *q == '-' || *q == '+' || *q == '.' || *q == 'e' || *q == 'E'))
            ++q;
        return q;
    }

    bool number(float* out)
    {
        ws();
        const char* last = numberEnd();
        if (last == p)
            return fail(u"expected a number"_s);
        const auto [ptr, ec] = std::from_chars(p, last, *out);
        if (ec != std::errc() || ptr != last)
            return fail(u"'"_s + QString::fromLatin1(p, last - p) + u"' is not an f32"_s);
        p = last;
        return true;
    }

    bool integer(qint64* out)
    {
        ws();
        const char* last = numberEnd();
        const auto [ptr, ec] = std::from_chars(p, last, *out);
        if (last == p || ec != std::errc() || ptr != last)
            return fail(u"expected an integer"_s);
        p = last;
        return true;
    }

    bool vector(QList<float>* out)
    {
        if (!expect('['))
            return false;
        if (eat(']'))
            return true;
        do {
            float value = 0;
            if (!number(&value))
                return false;
            out->append(value);
        } while (eat(','));
        return expect(']');
    }

    bool skipValue(int depth = 0)
    {
        ws();
        if (depth > 64)
            return fail(u"nested too deeply"_s);
        if (p >= end)
            return fail(u"unexpected end"_s);
        if (*p == '"') {
            QString ignored;
            return string(&ignored);
        }
        if (*p == '[' || *p == '{') {
            const bool object = *p == '{';
            ++p;
            if (eat(object ? '}' : ']'))
                return true;
            do {
                if (object) {
                    QString key;
                    if (!string(&key) || !expect(':'))
                        return false;
                }
                if (!skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return expect(object ? '}' : ']');
        }
        for (const char* word : {"true", "false", "null"}) {
            const size_t n = strlen(word);
            if (size_t(end - p) >= n && memcmp(p, word, n) == 0) {
                p += n;
                return true;
            }
        }
        float ignored = 0;
        return number(&ignored);
    }
};

/// A QIODevice read in pieces, byte by byte, with the offset of each byte.
class ByteStream
{
public:
    explicit ByteStream(QIODevice& device)
        : m_device(device)
    {
    }
    /// The next byte, or -1 at the end (or when the device cannot be read: readFailed() tells).
    int peek()
    {
        if (m_pos == m_buffer.size() && !refill())
            return -1;
        return uchar(m_buffer[m_pos]);
    }
    void advance() { ++m_pos; }
    qint64 offset() const { return m_base + m_pos; }
    bool readFailed() const { return m_readFailed; }
    /// Skips the bytes `table` marks, a piece at a time; returns how many.
    qint64 skip(const std::array<bool, 256>& table)
    {
        qint64 skipped = 0;
        for (;;) {
            if (m_pos == m_buffer.size() && !refill())
                return skipped;
            const qsizetype from = m_pos;
            const char* data = m_buffer.constData();
            while (m_pos < m_buffer.size() && table[uchar(data[m_pos])])
                ++m_pos;
            skipped += m_pos - from;
            if (m_pos < m_buffer.size())
                return skipped;
        }
    }

private:
    static constexpr qint64 kPiece = 1 << 20;
    QIODevice& m_device;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_base = 0;
    bool m_readFailed = false;

    bool refill()
    {
        if (m_readFailed)
            return false;
        m_base += m_buffer.size();
        m_buffer.resize(kPiece);
        const qint64 n = m_device.read(m_buffer.data(), kPiece);
        m_buffer.resize(qMax<qint64>(n, 0));
        m_pos = 0;
        m_readFailed = n < 0;
        return n > 0;
    }
};

constexpr std::array<bool, 256> byteTable(std::string_view bytes)
{
    std::array<bool, 256> table {};
    for (char c : bytes)
        table[uchar(c)] = true;
    return table;
}
constexpr auto kWhitespace = byteTable(" \n\r\t");
constexpr auto kNumberBytes = byteTable("0123456789+-.eE");
constexpr qsizetype kLongestKey = 1 << 20; // an id longer than this is damage, not an id

/// The structure of a JSON text read from a ByteStream, without building its values.
struct StreamScanner
{
    ByteStream in;
    QString error;
    qint64 errorAt = 0;

    bool fail(const QString& why)
    {
        if (error.isEmpty()) {
            error = in.readFailed() ? u"the file cannot be read"_s : why;
            errorAt = in.offset();
        }
        return false;
    }
    void ws() { in.skip(kWhitespace); }
    bool eat(char c)
    {
        ws();
        if (in.peek() != uchar(c))
            return false;
        in.advance();
        return true;
    }
    bool expect(char c)
    {
        if (eat(c))
            return true;
        return fail(in.peek() < 0 ? u"unexpected end"_s : u"expected '"_s + QChar::fromLatin1(c) + u'\'');
    }

    /// A string; its text (quotes and escapes as written) goes to `raw` when given, at most kLongestKey bytes.
    bool string(QByteArray* raw)
    {
        ws();
        if (in.peek() != '"')
            return fail(in.peek() < 0 ? u"unexpected end"_s : u"expected '\"'"_s);
        in.advance();
        if (raw)
            raw->append('"');
        for (;;) {
            const int c = in.peek();
            if (c < 0)
                return fail(u"unterminated string"_s);
            if (c < 0x20)
                return fail(u"a control character in a string"_s);
            in.advance();
            if (raw) {
                if (raw->size() > kLongestKey)
                    return fail(u"a key of over 1 MiB"_s);
                raw->append(char(c));
            }
            if (c == '"')
                return true;
            if (c == '\\') {
                const int escaped = in.peek();
                if (escaped < 0)
                    return fail(u"unterminated string"_s);
                if (std::string_view("\"\\/bfnrtu").find(char(escaped)) == std::string_view::npos)
                    return fail(u"bad escape"_s);
                in.advance();
                if (raw)
                    raw->append(char(escaped));
            }
        }
    }
    /// A string's text, decoded the way parseVectorsFile() decodes it.
    bool key(QString* out)
    {
        QByteArray raw;
        if (!string(&raw))
            return false;
        Reader r {raw.constData(), raw.constData() + raw.size(), {}};
        return r.string(out) || fail(r.error);
    }

    bool skipValue(int depth = 0)
    {
        ws();
        if (depth > 64)
            return fail(u"nested too deeply"_s);
        const int c = in.peek();
        if (c < 0)
            return fail(u"unexpected end"_s);
        if (c == '"')
            return string(nullptr);
        if (c == '[' || c == '{') {
            const bool object = c == '{';
            in.advance();
            if (eat(object ? '}' : ']'))
                return true;
            do {
                if (object && (!string(nullptr) || !expect(':')))
                    return false;
                if (!skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return expect(object ? '}' : ']');
        }
        for (std::string_view word : {"true", "false", "null"}) {
            if (c != word.front())
                continue;
            for (char expected : word) {
                if (in.peek() != uchar(expected))
                    return fail(u"expected a value"_s);
                in.advance();
            }
            return true;
        }
        // a number: its characters, not its form (subcog's loader parses them; the scan only needs where it ends)
        return in.skip(kNumberBytes) > 0 || fail(u"expected a value"_s);
    }
};

} // namespace

JsonMemberScan scanJsonObjectMembers(QIODevice& device, QLatin1StringView name,
                                     const std::function<bool(const JsonMemberSpan&)>& found)
{
    StreamScanner s {ByteStream(device), {}, 0};
    JsonMemberScan result;
    auto scan = [&]() -> bool {
        if (!s.expect('{'))
            return false;
        if (s.eat('}'))
            return true;
        do {
            QString key;
            if (!s.key(&key) || !s.expect(':'))
                return false;
            result.topLevelKeys << key;
            if (key != name) {
                if (!s.skipValue())
                    return false;
                continue;
            }
            if (!s.expect('{'))
                return false;
            if (!s.eat('}')) {
                do {
                    s.ws();
                    JsonMemberSpan member;
                    member.start = s.in.offset();
                    if (!s.key(&member.key) || !s.expect(':') || !s.skipValue(1))
                        return false;
                    member.end = s.in.offset();
                    if (!found(member)) {
                        result.cancelled = true;
                        return false;
                    }
                } while (s.eat(','));
                if (!s.expect('}'))
                    return false;
            }
            result.innerEnd = s.in.offset() - 1;
        } while (s.eat(','));
        if (!s.expect('}'))
            return false;
        s.ws();
        return s.in.peek() < 0 ? (!s.in.readFailed() || s.fail({})) : s.fail(u"text after the object"_s);
    };
    if (!scan() && !result.cancelled)
        result.error = u"at byte "_s + QString::number(s.errorAt) + u": "_s + s.error;
    return result;
}

std::optional<VectorsFile> parseVectorsFile(QByteArrayView text, QString* reason)
{
    Reader r {text.data(), text.data() + text.size(), {}};
    VectorsFile file;
    bool sawDimensions = false;
    bool sawVectors = false;
    auto parse = [&]() -> bool {
        if (!r.expect('{'))
            return false;
        if (r.eat('}'))
            return true;
        do {
            QString key;
            if (!r.string(&key) || !r.expect(':'))
                return false;
            if (key == "dimensions"_L1) {
                qint64 d = 0;
                if (!r.integer(&d))
                    return false;
                if (d <= 0 || d > 1 << 20)
                    return r.fail(u"dimensions "_s + QString::number(d) + u" is not a size"_s);
                file.dimensions = int(d);
                sawDimensions = true;
            } else if (key == "vectors"_L1) {
                sawVectors = true;
                if (!r.expect('{'))
                    return false;
                if (r.eat('}'))
                    continue;
                do {
                    QString id;
                    QList<float> values;
                    if (!r.string(&id) || !r.expect(':'))
                        return false;
                    if (!r.vector(&values))
                        return r.fail(u"vector of "_s + id + u": "_s + r.error);
                    file.vectors.insert(id, values);
                } while (r.eat(','));
                if (!r.expect('}'))
                    return false;
            } else if (!r.skipValue()) {
                return false;
            }
        } while (r.eat(','));
        if (!r.expect('}'))
            return false;
        r.ws();
        return r.p == r.end || r.fail(u"text after the object"_s);
    };
    if (!parse()) {
        if (reason)
            *reason
                = u"not subcog's vectors.idx JSON at byte "_s + QString::number(r.p - text.data()) + u": "_s + r.error;
        return std::nullopt;
    }
    if (!sawDimensions || !sawVectors) {
        if (reason)
            *reason = u"not subcog's vectors.idx JSON: no \"dimensions\" or no \"vectors\""_s;
        return std::nullopt;
    }
    return file;
}

QByteArray serializeVectorsFile(const VectorsFile& file)
{
    QStringList ids = file.vectors.keys();
    std::sort(ids.begin(), ids.end());
    QByteArray out;
    out.reserve(64 + qsizetype(ids.size()) * (48 + qsizetype(file.dimensions) * 12));
    out.append("{\"dimensions\":").append(QByteArray::number(file.dimensions)).append(",\"vectors\":{");
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (i)
            out.append(',');
        appendJsonString(out, ids[i]);
        out.append(':');
        out.append(vectorText(file.vectors.value(ids[i])));
    }
    out.append("}}");
    return out;
}

QString vectorProblem(const QList<float>& vector, int dimensions)
{
    if (vector.size() != dimensions)
        return u"it has "_s + QString::number(vector.size()) + u" dimensions, the vector store "_s
            + QString::number(dimensions);
    if (!std::all_of(vector.begin(), vector.end(), [](float v) { return std::isfinite(v); }))
        return u"it holds a value that is not a finite number"_s;
    return {};
}

std::optional<QList<float>> parseVectorText(QByteArrayView text)
{
    Reader r {text.data(), text.data() + text.size(), {}};
    QList<float> values;
    if (!r.vector(&values))
        return std::nullopt;
    r.ws();
    if (r.p != r.end)
        return std::nullopt;
    return values;
}

QByteArray vectorText(const QList<float>& vector)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < vector.size(); ++i) {
        if (i)
            out.append(',');
        appendSerdeFloat(out, vector[i]);
    }
    out.append(']');
    return out;
}

std::optional<QSet<QString>> readUsearchMetaIds(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    if (!doc.isObject() || !doc.object().value(u"id_to_key"_s).isObject())
        return std::nullopt;
    const QStringList keys = doc.object().value(u"id_to_key"_s).toObject().keys();
    return QSet<QString>(keys.begin(), keys.end());
}

void writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    writeFileAtomically(path, [&](const ByteSink& write) { write(bytes); });
}

void writeFileAtomically(const QString& path, const std::function<void(const ByteSink&)>& produce)
{
    const QString folder = QFileInfo(path).absolutePath();
    const QByteArray temporary
        = QFile::encodeName(path + u'.' + QString::number(QRandomGenerator::global()->generate64(), 36) + u".tmp"_s);
    auto failure = [&](const QString& what) {
        return StorageError(StorageError::Kind::OperationFailed,
                            path + u": "_s + what + u": "_s + QString::fromLocal8Bit(strerror(errno)));
    };
    // a file that is replaced keeps its mode (a private memory file stays private, from the first byte on)
    struct stat existing
    {
    };
    const bool replaces = ::stat(QFile::encodeName(path).constData(), &existing) == 0;
    const int fd
        = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, replaces ? 0600 : 0644);
    if (fd < 0)
        throw failure(u"cannot write"_s);
    if (replaces)
        ::fchmod(fd, existing.st_mode & 07777);
    const ByteSink write = [&](QByteArrayView bytes) {
        qint64 done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, size_t(bytes.size() - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw failure(u"cannot write"_s);
            done += n;
        }
    };
    try {
        produce(write);
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.constData());
        throw;
    }
    const bool synced = ::fsync(fd) == 0;
    const StorageError syncError = failure(u"cannot flush to disk"_s);
    if (::close(fd) != 0 || !synced) {
        const StorageError error = synced ? failure(u"cannot write"_s) : syncError;
        ::unlink(temporary.constData());
        throw error;
    }
    // the rename is the moment the new version appears, whole; until then the old one stays
    if (::rename(temporary.constData(), QFile::encodeName(path).constData()) != 0) {
        const StorageError error = failure(u"cannot replace"_s);
        ::unlink(temporary.constData());
        throw error;
    }
    const int dirFd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

} // namespace Inspector
