package io.switchboard.core.governance;

/** Model name patterns: a name matches itself; {@code *} matches any run of characters (none included). */
public final class ModelPatterns {
    private ModelPatterns() {
    }

    /** Whether {@code name} matches {@code pattern}. */
    public static boolean matches(String pattern, String name) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(name);
        }
        return glob(pattern, 0, name, 0);
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                if (pi == p.length() - 1) {
                    return true;
                }
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || s.charAt(si) != c) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }
}
