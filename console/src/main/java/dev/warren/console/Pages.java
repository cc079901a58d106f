package dev.warren.console;

import java.util.List;

/**
 * The server-rendered HTML: the sign-in form and the shell of each page (navigation, the
 * message-id search box, user, sign-out form), which loads {@code console.js} and the page's own
 * script. Every value written into HTML is escaped; no password ever is.
 */
final class Pages {

    /** A page of the console: its path, title and script. */
    enum Page {
        OVERVIEW("/overview", "Overview", "overview.js"),
        WORKERS("/workers", "Workers", "workers.js"),
        DEAD_LETTERS("/dead-letters", "Dead letters", "dead-letters.js"),
        TASK_TYPES("/types", "Task types", "types.js"),
        /** {@code /tasks} asks for a message id; {@code /tasks/<message id>} shows that task's timeline. */
        TASK_LOOKUP("/tasks", "Task lookup", "task.js");

        final String path;
        final String title;
        final String script;

        Page(String path, String title, String script) {
            this.path = path;
            this.title = title;
            this.script = script;
        }
    }

    private Pages() {
    }

    static String signIn(String message, String user, String next) {
        return head("Sign in") + "<body class=\"sign-in\"><main><h1>Warren console</h1>"
                + (message == null ? "" : "<p class=\"error\" id=\"sign-in-error\">" + escape(message) + "</p>")
                + "<form method=\"post\" action=\"" + ConsoleHttp.SIGN_IN_PATH + "\" id=\"sign-in-form\">"
                + "<input type=\"hidden\" name=\"next\" value=\"" + escape(next) + "\">"
                + "<label>RabbitMQ user <input name=\"user\" id=\"user\" autocomplete=\"username\" required value=\""
                + escape(user) + "\"></label>"
                + "<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\""
                + " required></label><button type=\"submit\" id=\"sign-in\">Sign in</button></form>"
                + "<p class=\"hint\">The console acts with your RabbitMQ user's own permissions.</p></main></body></html>";
    }

    static String shell(Page page, Session session) {
        StringBuilder nav = new StringBuilder();
        for (Page each : List.of(Page.values())) {
            nav.append("<a href=\"").append(each.path).append('"').append(each == page ? " class=\"current\"" : "")
                    .append('>').append(each.title).append("</a>");
        }
        return head(page.title) + "<body data-page=\"" + page.name().toLowerCase() + "\">"
                + "<header><strong>Warren console</strong><nav>" + nav + "</nav>" + taskSearch()
                + "<span class=\"user\" id=\"user-name\">" + escape(session.user()) + "</span>"
                + "<form method=\"post\" action=\"/sign-out\"><input type=\"hidden\" name=\"" + ConsoleHttp.CSRF_FIELD
                + "\" value=\"" + escape(session.csrfToken()) + "\"><button type=\"submit\" id=\"sign-out\">Sign out</button>"
                + "</form></header><main id=\"main\"><h1>" + page.title + "</h1></main>"
                + "<script src=\"/static/console.js\"></script><script src=\"/static/" + page.script + "\"></script>"
                + "</body></html>";
    }

    /** The navigation's search box: a message id opens that task's timeline. */
    private static String taskSearch() {
        return "<form method=\"get\" action=\"" + Page.TASK_LOOKUP.path + "\" id=\"task-search\">"
                + "<input name=\"id\" id=\"task-search-id\" placeholder=\"message id\" aria-label=\"message id\"></form>";
    }

    private static String head(String title) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Warren · " + escape(title)
                + "</title><link rel=\"stylesheet\" href=\"/static/console.css\"></head>";
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
