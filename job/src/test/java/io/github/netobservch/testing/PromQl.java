package io.github.netobservch.testing;

import java.util.ArrayDeque;

/** Offline checks of PromQL text (no PromQL parser is available in Java). */
public final class PromQl {

    private PromQl() {}

    /** Whether ( ) [ ] { } nest and close outside double-quoted strings. */
    public static boolean balanced(String s) {
        ArrayDeque<Character> stack = new ArrayDeque<>();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && "([{".indexOf(c) >= 0) {
                stack.push(c);
            } else if (!quoted && ")]}".indexOf(c) >= 0) {
                if (stack.isEmpty() || "([{".indexOf(stack.pop()) != ")]}".indexOf(c)) {
                    return false;
                }
            }
        }
        return stack.isEmpty() && !quoted;
    }
}
