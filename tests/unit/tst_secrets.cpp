// SPDX-License-Identifier: MIT
// withoutPasswords(): every spelling of a password in connection texts and in messages that quote them.
#include "secrets.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void removesEverySpelling_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("user-info") << u"postgresql://u:S3cretQ@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("postgres scheme") << u"postgres://u:S3cretQ@h/db"_s << u"postgres://u@h/db"_s;
        QTest::newRow("mistyped scheme") << u"postgresqpstogresql://u:S3cretQ@h/db?=p"_s
                                         << u"postgresqpstogresql://u@h/db?=p"_s;
        QTest::newRow("line break in the password") << u"postgresql://u:S3cret\nQ@h/db"_s << u"postgresql://u@h/db"_s;
        QTest::newRow("another scheme") << u"cannot open https://u:S3cretQ@h/x"_s << u"cannot open https://u@h/x"_s;
        QTest::newRow("scheme in capitals") << u"PostgreSQL://u:S3cretQ@h/db"_s << u"PostgreSQL://u@h/db"_s;
        QTest::newRow("both") << u"postgresql://u:S3cretQ@h:5/db?sslmode=require&password=S3cretQ"_s
                              << u"postgresql://u@h:5/db?sslmode=require"_s;
        QTest::newRow("only parameter") << u"postgresql://h/db?password=S3cretQ"_s << u"postgresql://h/db"_s;
        QTest::newRow("first parameter") << u"postgresql://h/db?password=S3cretQ&sslmode=require"_s
                                         << u"postgresql://h/db?sslmode=require"_s;
        QTest::newRow("middle parameter")
            << u"postgresql://h/db?a=1&password=S3cretQ&b=2"_s << u"postgresql://h/db?a=1&b=2"_s;
        QTest::newRow("capital key") << u"postgresql://h/db?sslmode=require&PASSWORD=S3cretQ"_s
                                     << u"postgresql://h/db?sslmode=require"_s;
        QTest::newRow("encoded key") << u"postgresql://h/db?sslmode=require&pass%77ord=S3cretQ"_s
                                     << u"postgresql://h/db?sslmode=require"_s;
        QTest::newRow("all encoded key") << u"postgres://h/db?%70%61%73%73%57%4f%52%44=S3cretQ#x"_s
                                         << u"postgres://h/db#x"_s;
        QTest::newRow("twice") << u"postgresql://h/db?password=S3cretQ&password=other"_s << u"postgresql://h/db?"_s;
        QTest::newRow("bad escape") << u"postgresql://u:p%zzS3cretQ@h/db"_s << u"postgresql://u@h/db"_s;
        QTest::newRow("encoded password") << u"postgresql://u:S3cr%65tQ@h/db"_s << u"postgresql://u@h/db"_s;
        QTest::newRow("@ and / in the password") << u"postgresql://u:p@ss/S3cretQ@h/db"_s << u"postgresql://u@h/db"_s;
        // libpq accepts these unencoded in the user-info: the '@' before the first '/' ends it
        QTest::newRow("# in the password") << u"postgresql://u:S3cret#Q@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("? in the password") << u"postgresql://u:S3cret?Q@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("\" in the password") << u"postgresql://u:S3cret\"Q@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("' in the password") << u"postgresql://u:S3cret'Q@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("blank in the password") << u"postgresql://u:S3cret Q@h:5/db"_s << u"postgresql://u@h:5/db"_s;
        QTest::newRow("# in a password, no path")
            << u"cannot reach postgresql://u:S3cret#Q@h"_s << u"cannot reach postgresql://u@h"_s;
        QTest::newRow("no password") << u"postgresql://u@h:5432/db?sslmode=require"_s
                                     << u"postgresql://u@h:5432/db?sslmode=require"_s;
        QTest::newRow("@ in the database") << u"postgresql://u@h:5432/d@b"_s << u"postgresql://u@h:5432/d@b"_s;
        QTest::newRow("ipv6 host") << u"postgresql://[::1]:5432/db"_s << u"postgresql://[::1]:5432/db"_s;
        QTest::newRow("empty password") << u"postgresql://u:@h/db"_s << u"postgresql://u@h/db"_s;
        QTest::newRow("libpq key=value") << u"host=h password=S3cretQ dbname=x"_s << u"host=h dbname=x"_s;
        QTest::newRow("libpq last") << u"host=h password=S3cretQ"_s << u"host=h"_s;
        QTest::newRow("libpq first") << u"PASSWORD=S3cretQ host=h"_s << u"host=h"_s;
        QTest::newRow("libpq quoted") << u"host=h password = 'S3 cr\\'etQ' dbname=x"_s << u"host=h dbname=x"_s;
        QTest::newRow("in a message") << u"cannot open postgresql://u:S3cretQ@h/db: refused"_s
                                      << u"cannot open postgresql://u@h/db: refused"_s;
        QTest::newRow("libpq escape error")
            << u"postgresql://u@h/db: cannot connect: invalid percent-encoded token: \"p%zz\""_s
            << u"postgresql://u@h/db: cannot connect: invalid percent-encoded token: \"\""_s;
        QTest::newRow("libpq %00 error") << u"forbidden value %00 in percent-encoded value: \"a%00b\""_s
                                         << u"forbidden value %00 in percent-encoded value: \"\""_s;
        QTest::newRow("ordinary messages") << u"no password supplied; password authentication failed for \"u\""_s
                                           << u"no password supplied; password authentication failed for \"u\""_s;
        QTest::newRow("other keys") << u"postgresql://h/db?passfile=/p&db_password=x"_s
                                    << u"postgresql://h/db?passfile=/p&db_password=x"_s;
        QTest::newRow("paths") << u"/home/ana/index.db"_s << u"/home/ana/index.db"_s;
        QTest::newRow("password like the user")
            << u"postgresql://postgres:postgres@localhost/postgres"_s << u"postgresql://postgres@localhost/postgres"_s;
    }
    void removesEverySpelling()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(withoutPasswords(text), expected);
    }

    void removesTheConnectionsPasswordFromMessages()
    {
        // a message that quotes the password without saying it is one
        const QString url = u"postgresql://u:S3cr%65tQ@h/db"_s;
        QString message = withoutPasswords(u"could not parse \"S3cr%65tQ\" or S3cretQ"_s, {url});
        QVERIFY2(!message.contains(u"S3cr"_s), qPrintable(message));
        message = withoutPasswords(u"bad value \"x%\" here"_s, {u"postgresql://h/db?password=x%"_s});
        QCOMPARE(message, u"bad value \"***\" here"_s);
        // a short one is not taken out of ordinary words
        QCOMPARE(withoutPasswords(u"cannot connect"_s, {u"postgresql://u:con@h/db"_s}), u"cannot connect"_s);
        message = withoutPasswords(u"token S3cretQ"_s, {u"host=h password='S3cretQ'"_s});
        QCOMPARE(message, u"token ***"_s);
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
