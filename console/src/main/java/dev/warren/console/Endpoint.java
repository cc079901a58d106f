package dev.warren.console;

/** Answers one route of the console. */
@FunctionalInterface
interface Endpoint {

    Reply answer(ConsoleRequest request) throws Exception;
}
