// SPDX-License-Identifier: MIT
#include "vectorstream.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <bit>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

constexpr qsizetype kPiece = 4 << 20; // bytes read at a time
constexpr int kProgressEvery = 4096; // members between two progress calls
constexpr size_t kNone = size_t(-1);
// one member (an id and its floats: ~5 KB for 384) never needs more; a hostile file cannot make the window grow
constexpr size_t kMaxPending = size_t(64) << 20;

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/// The file in a sliding window: offsets are relative to the parse position, so they stay valid when the window
/// moves on (a member is located whole before any pointer into it is taken).
class Window
{
public:
    explicit Window(QIODevice& device)
        : m_device(device)
    {
    }

    /// The byte at `offset` from the parse position, or -1 past the end.
    int at(size_t offset)
    {
        while (m_pos + offset >= m_len) {
            if (!fill())
                return -1;
        }
        return uchar(m_buffer[m_pos + offset]);
    }
    /// The first offset from `offset` on that is not whitespace (may be the end).
    size_t skipSpace(size_t offset)
    {
        for (;;) {
            while (m_pos + offset < m_len && isSpace(m_buffer[m_pos + offset]))
                ++offset;
            if (m_pos + offset < m_len || !fill())
                return offset;
        }
    }
    /// The offset of the first `c` from `offset` on, or kNone at the end.
    size_t find(char c, size_t offset)
    {
        for (;;) {
            if (m_pos + offset < m_len) {
                const void* hit = std::memchr(m_buffer.data() + m_pos + offset, c, m_len - m_pos - offset);
                if (hit)
                    return size_t(static_cast<const char*>(hit) - (m_buffer.data() + m_pos));
                offset = m_len - m_pos;
            }
            if (!fill())
                return kNone;
        }
    }
    /// The offset of the quote closing the string whose opening quote is at `offset`, or kNone.
    size_t stringEnd(size_t offset)
    {
        size_t from = offset + 1;
        for (;;) {
            const size_t quote = find('"', from);
            if (quote == kNone)
                return kNone;
            size_t backslashes = 0;
            while (quote - backslashes > offset + 1 && m_buffer[m_pos + quote - backslashes - 1] == '\\')
                ++backslashes;
            if (backslashes % 2 == 0)
                return quote;
            from = quote + 1;
        }
    }
    const char* data() const { return m_buffer.data() + m_pos; }
    void consume(size_t n) { m_pos += n; }
    qint64 offset() const { return m_base + qint64(m_pos); }
    bool readFailed() const { return m_readFailed; }
    bool tooLarge() const { return m_tooLarge; }

private:
    bool fill()
    {
        if (m_atEnd)
            return false;
        // keep only what is not parsed yet (part of one member), then read behind it
        if (m_pos > 0) {
            std::memmove(m_buffer.data(), m_buffer.data() + m_pos, m_len - m_pos);
            m_base += qint64(m_pos);
            m_len -= m_pos;
            m_pos = 0;
        }
        if (m_len >= kMaxPending) {
            m_tooLarge = true;
            m_atEnd = true;
            return false;
        }
        if (m_buffer.size() - m_len < size_t(kPiece))
            m_buffer.resize(m_len + size_t(kPiece));
        const qint64 n = m_device.read(m_buffer.data() + m_len, qint64(m_buffer.size() - m_len));
        if (n <= 0) {
            m_atEnd = true;
            m_readFailed = n < 0;
            return false;
        }
        m_len += size_t(n);
        return true;
    }

    QIODevice& m_device;
    std::vector<char> m_buffer;
    size_t m_pos = 0;
    size_t m_len = 0;
    qint64 m_base = 0;
    bool m_atEnd = false;
    bool m_readFailed = false;
    bool m_tooLarge = false; ///< one member is larger than kMaxPending
};

class Parser
{
public:
    Parser(QIODevice& device, const VectorVisitor& visit, const VectorWanted& wanted, const BytesProgress& progress)
        : m_in(device)
        , m_visit(visit)
        , m_wanted(wanted)
        , m_progress(progress)
    {
    }

    VectorStreamResult run()
    {
        // asked once before anything is read: a small file is cancellable too
        if (m_progress && !m_progress(0)) {
            m_result.cancelled = true;
            return m_result;
        }
        if (!document() && !m_result.cancelled && m_result.error.isEmpty())
            fail(u"unexpected end"_s);
        return m_result;
    }

private:
    Window m_in;
    const VectorVisitor& m_visit;
    const VectorWanted& m_wanted;
    const BytesProgress& m_progress;
    VectorStreamResult m_result;
    std::vector<float> m_values;
    QByteArray m_decodedId;

    bool fail(const QString& why)
    {
        if (m_result.error.isEmpty())
            m_result.error = u"at byte "_s + QString::number(m_in.offset()) + u": "_s
                + (m_in.readFailed()     ? u"the file cannot be read"_s
                       : m_in.tooLarge() ? u"a member larger than 64 MiB (not a vector of floats)"_s
                                         : why);
        return false;
    }
    bool expect(char c)
    {
        const size_t at = m_in.skipSpace(0);
        if (m_in.at(at) != uchar(c))
            return fail(m_in.at(at) < 0 ? u"unexpected end"_s : u"expected '"_s + QChar::fromLatin1(c) + u'\'');
        m_in.consume(at + 1);
        return true;
    }
    /// Consumes `c` if it comes next.
    bool eat(char c)
    {
        const size_t at = m_in.skipSpace(0);
        if (m_in.at(at) != uchar(c))
            return false;
        m_in.consume(at + 1);
        return true;
    }

    /// The id's UTF-8 bytes from a key as written (escapes are rare in ids: decoded through Qt's JSON reader).
    std::optional<QByteArrayView> id(QByteArrayView raw)
    {
        if (!raw.contains('\\'))
            return raw;
        const QByteArray text = "[\"" + raw.toByteArray() + "\"]";
        const QJsonDocument doc = QJsonDocument::fromJson(text);
        if (!doc.isArray() || !doc.array().at(0).isString())
            return std::nullopt;
        m_decodedId = doc.array().at(0).toString().toUtf8();
        return QByteArrayView(m_decodedId);
    }

    bool document()
    {
        if (!expect('{'))
            return false;
        if (eat('}'))
            return end();
        do {
            const size_t open = m_in.skipSpace(0);
            if (m_in.at(open) != '"')
                return fail(u"expected '\"'"_s);
            const size_t close = m_in.stringEnd(open);
            if (close == kNone)
                return fail(u"unterminated string"_s);
            const QByteArray key(m_in.data() + open + 1, qsizetype(close - open - 1));
            m_in.consume(close + 1);
            if (!expect(':'))
                return false;
            if (key == "dimensions") {
                if (!dimensions())
                    return false;
            } else if (key == "vectors") {
                if (!vectors())
                    return false;
            } else {
                return fail(u"unexpected member \""_s + QString::fromUtf8(key)
                            + u"\" (subcog writes only "
                              "\"dimensions\" and \"vectors\")"_s);
            }
        } while (eat(','));
        return expect('}') && end();
    }

    bool end()
    {
        const size_t after = m_in.skipSpace(0);
        if (m_in.at(after) >= 0)
            return fail(u"text after the object"_s);
        return !m_in.readFailed() || fail({});
    }

    bool dimensions()
    {
        const size_t from = m_in.skipSpace(0);
        size_t to = from;
        while (m_in.at(to) >= '0' && m_in.at(to) <= '9')
            ++to;
        int value = 0;
        const auto [ptr, ec] = std::from_chars(m_in.data() + from, m_in.data() + to, value);
        if (to == from || ec != std::errc() || ptr != m_in.data() + to || value <= 0 || value > 1 << 20)
            return fail(u"\"dimensions\" is not a size"_s);
        m_result.dimensions = value;
        m_in.consume(to);
        return true;
    }

    bool vectors()
    {
        if (!expect('{'))
            return false;
        if (eat('}'))
            return true;
        do {
            if (!member())
                return false;
        } while (eat(','));
        return expect('}');
    }

    /// One `"id":[f,…]`, located whole in the window before it is read.
    bool member()
    {
        const size_t open = m_in.skipSpace(0);
        if (m_in.at(open) != '"')
            return fail(m_in.at(open) < 0 ? u"unexpected end"_s : u"expected '\"'"_s);
        const size_t close = m_in.stringEnd(open);
        if (close == kNone)
            return fail(u"unterminated string"_s);
        const size_t colon = m_in.skipSpace(close + 1);
        if (m_in.at(colon) != ':')
            return fail(u"expected ':'"_s);
        const size_t bracket = m_in.skipSpace(colon + 1);
        if (m_in.at(bracket) != '[')
            return fail(u"expected '[' (a vector)"_s);
        // numbers hold no ']', so the first one ends the vector
        const size_t last = m_in.find(']', bracket + 1);
        if (last == kNone)
            return fail(u"unterminated vector"_s);
        const char* base = m_in.data();
        const std::optional<QByteArrayView> key = id(QByteArrayView(base + open + 1, qsizetype(close - open - 1)));
        if (!key)
            return fail(u"a key that is not a JSON string"_s);
        ++m_result.vectors;
        if (!m_wanted || m_wanted(*key)) {
            m_values.clear();
            const char* p = base + bracket + 1;
            const char* end = base + last;
            while (p < end && isSpace(*p))
                ++p;
            while (p < end) {
                float value = 0;
                const char* ptr = parseF32(p, end, &value);
                if (!ptr) {
                    m_in.consume(size_t(p - base));
                    return fail(u"a value of \""_s + QString::fromUtf8(*key) + u"\" is not an f32"_s);
                }
                m_values.push_back(value);
                p = ptr;
                while (p < end && isSpace(*p))
                    ++p;
                if (p < end) {
                    if (*p != ',') {
                        m_in.consume(size_t(p - base));
                        return fail(u"expected ',' in the vector of \""_s + QString::fromUtf8(*key) + u'"');
                    }
                    ++p;
                    while (p < end && isSpace(*p))
                        ++p;
                    if (p == end) {
                        m_in.consume(size_t(p - base));
                        return fail(u"expected a number"_s);
                    }
                }
            }
            if (!m_visit(*key, m_values.data(), qsizetype(m_values.size()))) {
                m_result.cancelled = true;
                return false;
            }
        }
        m_in.consume(last + 1);
        if (m_progress && m_result.vectors % kProgressEvery == 0 && !m_progress(m_in.offset())) {
            m_result.cancelled = true;
            return false;
        }
        return true;
    }
};

} // namespace

const char* parseF32(const char* p, const char* end, float* out)
{
    static constexpr std::array<double, 23> kPowers {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* const start = p;
    const auto slow = [&]() -> const char* {
        // JSON numbers only: from_chars also takes inf and nan, which would make every cosine NaN
        if (start == end || (*start != '-' && unsigned(*start - '0') >= 10))
            return nullptr;
        const auto [ptr, ec] = std::from_chars(start, end, *out);
        return ec == std::errc() && ptr != start && std::isfinite(*out) ? ptr : nullptr;
    };
    const bool negative = p < end && *p == '-';
    if (negative)
        ++p;
    // the mantissa stays below 10^17 (no overflow); above 2^53 it is not exact in a double and from_chars decides
    constexpr quint64 kLargest = 100000000000000000ULL;
    quint64 mantissa = 0;
    int exponent = 0;
    const auto digitsAt = [&](bool fraction) {
        // eight digits at a time where there are eight (the fraction of nearly every embedding value)
        while (end - p >= 8 && mantissa < 100000000000ULL) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (((word + 0x4646464646464646ULL) | (word - 0x3030303030303030ULL)) & 0x8080808080808080ULL)
                break;
            word -= 0x3030303030303030ULL;
            word = word * 10 + (word >> 8);
            word = (((word & 0x000000FF000000FFULL) * 0x000F424000000064ULL)
                    + (((word >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL))
                >> 32;
            mantissa = mantissa * 100000000ULL + word;
            p += 8;
            exponent -= fraction ? 8 : 0;
        }
        for (; p < end && unsigned(*p - '0') < 10 && mantissa < kLargest; ++p) {
            mantissa = mantissa * 10 + unsigned(*p - '0');
            exponent -= fraction ? 1 : 0;
        }
        return !(p < end && unsigned(*p - '0') < 10); // false: more digits than the fast path takes
    };
    const char* integerStart = p;
    if (!digitsAt(false) || p == integerStart)
        return slow();
    if (p < end && *p == '.') {
        const char* fraction = ++p;
        if (!digitsAt(true) || p == fraction)
            return slow();
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool down = p < end && *p == '-';
        if (p < end && (*p == '-' || *p == '+'))
            ++p;
        const char* power = p;
        int value = 0;
        for (; p < end && unsigned(*p - '0') < 10 && value < 1000; ++p)
            value = value * 10 + (*p - '0');
        if (p == power || (p < end && unsigned(*p - '0') < 10))
            return slow();
        exponent += down ? -value : value;
    }
    if (exponent < -22 || exponent > 22 || mantissa > (1ULL << 53))
        return slow();
    // mantissa <= 2^53 and 10^|exponent| are exact doubles: one operation, one correct rounding
    double value = double(mantissa);
    value = exponent < 0 ? value / kPowers[size_t(-exponent)] : value * kPowers[size_t(exponent)];
    // rounding that double to f32 again is wrong only when it lies exactly halfway between two f32 (the 29 bits f32
    // drops are 1000…0); a value this large has no f32 at all
    if ((std::bit_cast<quint64>(value) & 0x1FFFFFFFULL) == 0x10000000ULL || value > double(FLT_MAX))
        return slow();
    *out = negative ? -float(value) : float(value);
    return p;
}

VectorStreamResult streamVectorsFile(QIODevice& device, const VectorVisitor& visit, const VectorWanted& wanted,
                                     const BytesProgress& progress)
{
    return Parser(device, visit, wanted, progress).run();
}

} // namespace Inspector
