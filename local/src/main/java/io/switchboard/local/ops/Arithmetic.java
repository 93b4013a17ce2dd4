package io.switchboard.local.ops;

import java.util.Map;

/**
 * The arithmetic of dashboard expressions as CloudWatch metric math evaluates it for one period: numbers, ids,
 * {@code + - * /}, unary minus and parentheses. A division by zero, or an id without a value, is no value (NaN), as
 * CloudWatch draws no point there.
 */
final class Arithmetic {
    private final String text;
    private final Map<String, Double> values;
    private int pos;

    private Arithmetic(String text, Map<String, Double> values) {
        this.text = text;
        this.values = values;
    }

    /** The value of {@code expression} with {@code values} for its ids. */
    static double evaluate(String expression, Map<String, Double> values) {
        Arithmetic a = new Arithmetic(expression, values);
        double v = a.sum();
        a.skip();
        if (a.pos != expression.length()) {
            throw new IllegalArgumentException("cannot read expression at " + a.pos + ": " + expression);
        }
        return Double.isInfinite(v) ? Double.NaN : v;
    }

    private double sum() {
        double v = product();
        while (true) {
            skip();
            if (eat('+')) {
                v += product();
            } else if (eat('-')) {
                v -= product();
            } else {
                return v;
            }
        }
    }

    private double product() {
        double v = unary();
        while (true) {
            skip();
            if (eat('*')) {
                v *= unary();
            } else if (eat('/')) {
                double d = unary();
                v = d == 0 ? Double.NaN : v / d;
            } else {
                return v;
            }
        }
    }

    private double unary() {
        skip();
        if (eat('-')) {
            return -unary();
        }
        if (eat('(')) {
            double v = sum();
            skip();
            if (!eat(')')) {
                throw new IllegalArgumentException("missing ) in " + text);
            }
            return v;
        }
        int start = pos;
        if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                pos++;
            }
            return Double.parseDouble(text.substring(start, pos));
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException("cannot read expression at " + pos + ": " + text);
        }
        Double v = values.get(text.substring(start, pos));
        return v == null ? Double.NaN : v;
    }

    private void skip() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private boolean eat(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }
}
