package io.loladeft.common;

/**
 * Strong entity tags from a row's optimistic-lock version, and {@code If-Match} checks against
 * them, so clients get HTTP's own optimistic concurrency (412 when someone else wrote first).
 */
public final class ETags {

    private ETags() {}

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /** True when there is no precondition, it is {@code *}, or one of its tags names this version. */
    public static boolean matches(String ifMatch, long version) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return true;
        }
        String current = of(version);
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(current)) {
                return true;
            }
        }
        return false;
    }

    /** Checks a precondition or throws 412 naming the current tag. */
    public static void require(String ifMatch, long version, String what) {
        if (!matches(ifMatch, version)) {
            throw Problems.preconditionFailed(
                    "If-Match " + ifMatch + " does not match the current ETag " + of(version) + " of " + what);
        }
    }
}
