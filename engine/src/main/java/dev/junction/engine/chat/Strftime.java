package dev.junction.engine.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code time.strftime} for the directives chat templates use (Llama 3.x calls
 * {@code strftime_now("%d %b %Y")}), in the C locale. Unknown directives are copied as written.
 */
final class Strftime {
    private Strftime() {
    }

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                b.append(c);
                continue;
            }
            char d = pattern.charAt(++i);
            boolean noPad = d == '-' && i + 1 < pattern.length();
            if (noPad) {
                d = pattern.charAt(++i);
            }
            String two = noPad ? "%d" : "%02d";
            switch (d) {
                case 'd' -> b.append(String.format(Locale.ROOT, two, t.getDayOfMonth()));
                case 'm' -> b.append(String.format(Locale.ROOT, two, t.getMonthValue()));
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(String.format(Locale.ROOT, "%02d", t.getYear() % 100));
                case 'H' -> b.append(String.format(Locale.ROOT, two, t.getHour()));
                case 'I' -> b.append(String.format(Locale.ROOT, two, (t.getHour() + 11) % 12 + 1));
                case 'M' -> b.append(String.format(Locale.ROOT, two, t.getMinute()));
                case 'S' -> b.append(String.format(Locale.ROOT, two, t.getSecond()));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> b.append(String.format(Locale.ROOT, noPad ? "%d" : "%03d", t.getDayOfYear()));
                case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'Z' -> b.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> b.append('%');
                default -> b.append('%').append(noPad ? "-" : "").append(d);
            }
        }
        return b.toString();
    }
}
