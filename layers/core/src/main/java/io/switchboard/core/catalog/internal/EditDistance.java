package io.switchboard.core.catalog.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Levenshtein distance, for naming the known models closest to an unknown one. */
public final class EditDistance {
    private EditDistance() {
    }

    /** The edit distance of {@code a} and {@code b}, case-insensitive, giving up above {@code max} (returns max+1). */
    public static int between(String a, String b, int max) {
        if (Math.abs(a.length() - b.length()) > max) {
            return max + 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            char ca = Character.toLowerCase(a.charAt(i - 1));
            for (int j = 1; j <= b.length(); j++) {
                int cost = ca == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > max) {
                return max + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * Up to {@code limit} of {@code names} closest to {@code query}: within an edit distance of a third of the
     * query's length (at least 2) of the name or of its model id after {@code provider/}, or containing the query;
     * closest first.
     */
    public static List<String> closest(String query, Iterable<String> names, int limit) {
        String q = query.toLowerCase(Locale.ROOT);
        int max = Math.max(2, q.length() / 3);
        record Scored(String name, int score) {
        }
        List<Scored> hits = new ArrayList<>();
        for (String n : names) {
            int d = between(q, n, max);
            int slash = n.indexOf('/');
            if (slash > 0 && d > 0) {
                d = Math.min(d, between(q, n.substring(slash + 1), max));
            }
            if (d <= max) {
                hits.add(new Scored(n, d));
            } else if (q.length() >= 3 && n.toLowerCase(Locale.ROOT).contains(q)) {
                hits.add(new Scored(n, max + 1));
            }
        }
        hits.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::name));
        List<String> out = new ArrayList<>(limit);
        for (int i = 0; i < hits.size() && out.size() < limit; i++) {
            out.add(hits.get(i).name());
        }
        return out;
    }
}
