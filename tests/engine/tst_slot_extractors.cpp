#include "slot_extractors.h"

#include <QtTest>

using namespace flowdeck::engine;

namespace {
constexpr int64_t kFridayNoon = 1704456000000; // 2024-01-05T12:00:00Z, a Friday
}

class tst_SlotExtractors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void numberFindsIntegersDecimalsAndWords() {
        QCOMPARE(extractNumber("we are 4 people"), std::optional<Json>(Json(4)));
        QCOMPARE(extractNumber("about 2.5 kg"), std::optional<Json>(Json(2.5)));
        QCOMPARE(extractNumber("-3 degrees"), std::optional<Json>(Json(-3)));
        QCOMPARE(extractNumber("Twelve of us"), std::optional<Json>(Json(12)));
        QCOMPARE(extractNumber("two adults and 3 kids"), std::optional<Json>(Json(2)));
        QCOMPARE(extractNumber("4."), std::optional<Json>(Json(4)));
    }
    void numberIgnoresDigitsOfTimesDatesAndCodes() {
        QVERIFY(!extractNumber("at 19:30").has_value());
        QVERIFY(!extractNumber("on 2026-12-24").has_value());
        QVERIFY(!extractNumber("order AB-12345").has_value());
        QVERIFY(!extractNumber("at 4pm").has_value());
        QVERIFY(!extractNumber("someone").has_value()); // "one" only as a whole word
    }
    void emailFindsAddressInsideText() {
        QCOMPARE(extractEmail("mail me at Ana.B+x@example.co.uk."),
                 std::optional<std::string>("Ana.B+x@example.co.uk"));
        QVERIFY(!extractEmail("a@b").has_value());
        QVERIFY(!extractEmail("@example.com").has_value());
        QVERIFY(!extractEmail("no address here").has_value());
    }
    void dateReadsIsoAndDayMonthYear() {
        QCOMPARE(extractDate("on 2026-12-24 please", kFridayNoon),
                 std::optional<std::string>("2026-12-24"));
        QCOMPARE(extractDate("24/12/2026", kFridayNoon), std::optional<std::string>("2026-12-24"));
        QCOMPARE(extractDate("1.2.2025", kFridayNoon), std::optional<std::string>("2025-02-01"));
        QVERIFY(!extractDate("2026-02-30", kFridayNoon).has_value());
        QVERIFY(!extractDate("31/04/2026", kFridayNoon).has_value());
    }
    void dateResolvesRelativeWordsAgainstNow() {
        QCOMPARE(extractDate("today", kFridayNoon), std::optional<std::string>("2024-01-05"));
        QCOMPARE(extractDate("Tomorrow evening", kFridayNoon),
                 std::optional<std::string>("2024-01-06"));
        QCOMPARE(extractDate("monday", kFridayNoon), std::optional<std::string>("2024-01-08"));
        // The same weekday means next week's.
        QCOMPARE(extractDate("friday", kFridayNoon), std::optional<std::string>("2024-01-12"));
        QCOMPARE(extractDate("Sunday!", kFridayNoon), std::optional<std::string>("2024-01-07"));
        QVERIFY(!extractDate("someday", kFridayNoon).has_value());
    }
    void booleanReadsYesNoWords() {
        QCOMPARE(extractBoolean("Yes please"), std::optional<bool>(true));
        QCOMPARE(extractBoolean("no, thanks"), std::optional<bool>(false));
        QCOMPARE(extractBoolean("TRUE"), std::optional<bool>(true));
        QCOMPARE(extractBoolean("n"), std::optional<bool>(false));
        QVERIFY(!extractBoolean("nothing known").has_value());
        QCOMPARE(extractBoolean(" Y! "), std::optional<bool>(true));
        // Single letters only count as the whole answer (an email is not a "yes").
        QVERIFY(!extractBoolean("x@y.org").has_value());
        QVERIFY(!extractBoolean("plan n now").has_value());
    }
    void enumMatchesWholeWordsIgnoringCase() {
        const std::vector<std::string> values{"inside", "Terrace", "non smoking"};
        QCOMPARE(extractEnum("the TERRACE please", values), std::optional<std::string>("Terrace"));
        QCOMPARE(extractEnum("Non Smoking, inside", values),
                 std::optional<std::string>("non smoking"));
        QVERIFY(!extractEnum("insider", values).has_value());
    }
    void regexUsesItsOnlyGroupOrTheWholeMatch() {
        SlotRegex order("\\b([A-Z]{2}-?[0-9]{4,8})\\b");
        QVERIFY(order.valid());
        std::string error;
        QCOMPARE(order.extract("it's AB-12345 thanks", &error),
                 std::optional<std::string>("AB-12345"));
        SlotRegex time("\\b([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])\\b");
        QCOMPARE(time.extract("at 19:30", &error), std::optional<std::string>("19:30"));
        QVERIFY(error.empty());
    }
    void regexReportsInvalidPatternAndOversizedInput() {
        SlotRegex broken("([a-z");
        QVERIFY(!broken.valid());
        std::string error;
        QVERIFY(!broken.extract("abc", &error).has_value());
        QVERIFY(error.find("invalid regex") != std::string::npos);
        SlotRegex any("a+");
        error.clear();
        QVERIFY(!any.extract(std::string(SlotRegex::kMaxRegexInput + 1, 'a'), &error));
        QVERIFY(error.find("longer") != std::string::npos);
    }
    void textTakesTheTrimmedInput() {
        QCOMPARE(extractText("  Ana Lopez \n"), std::optional<std::string>("Ana Lopez"));
        QVERIFY(!extractText("   ").has_value());
    }
    void isoDatesFromDays() {
        QCOMPARE(isoDateFromDays(0), std::string("1970-01-01"));
        QCOMPARE(isoDateFromDays(19727), std::string("2024-01-05"));
    }
};

QTEST_GUILESS_MAIN(tst_SlotExtractors)
#include "tst_slot_extractors.moc"
