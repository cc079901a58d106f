package dev.warren.console;

/** The HTML pages: {@code /} goes to the overview; each page is a shell its script fills from the JSON API. */
final class PageRoutes {

    void addTo(Routes routes) {
        routes.add("GET", "/", Routes.Access.PUBLIC, request -> Reply.redirect(Pages.Page.OVERVIEW.path));
        for (Pages.Page page : Pages.Page.values()) {
            routes.add("GET", page.path, Routes.Access.PAGE, request -> Reply.html(200, Pages.shell(page, request.session())));
        }
        routes.add("GET", Pages.Page.TASK_LOOKUP.path + "/*", Routes.Access.PAGE,
                request -> Reply.html(200, Pages.shell(Pages.Page.TASK_LOOKUP, request.session())));
    }
}
