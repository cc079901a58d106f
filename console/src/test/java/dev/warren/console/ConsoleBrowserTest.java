package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.TestQueues;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventsModule;
import dev.warren.events.EventsSettings;
import dev.warren.retry.RetrySettings;
import dev.warren.test.WarrenWorkerExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console in a real browser (Debian's headless Chromium) against the real broker and a real
 * Warren worker: sign in, see the worker's queue and the worker, find a dead letter by its error
 * text, open it, replay it and see the task succeed; a read-only user sees no replay button and
 * gets 403; a wrong password is refused. The worker records task events in a stream of the test's
 * own, from which the console shows the task's timeline and its type's counts. Saves a screenshot
 * of every page in target/screenshots.
 */
class ConsoleBrowserTest {

    /** Fails while {@link #failing} is set, with the note in the error message. */
    record Delivery(String note) {
    }

    static final TaskType<Delivery, Void> DELIVER = TaskType.of("console_delivery", Delivery.class);
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "reader-Pa55word";

    private final AtomicBoolean failing = new AtomicBoolean(true);
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final String stream = TestQueues.unique("console-browser-events");

    @RegisterExtension
    final QueueCleanup streams = new QueueCleanup();

    @RegisterExtension
    final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
            .modules(new EventsModule(EventsSettings.defaults().withStream(stream), "browser-worker"), new TaskModule() {
                @Override
                protected void configureTasks() {
                    bindTask(DELIVER, (task, context) -> {
                        if (failing.get()) {
                            throw new PermanentTaskFailure("mail relay refused " + task.note());
                        }
                        delivered.add(task.note());
                        return null;
                    });
                }
            })
            .retrySettings(RetrySettings.custom().maxAttempts(2).delays("100ms").build())
            .queuePrefix("console-browser")
            .build();

    private BrokerUsers users;
    private Console console;
    private ChromeDriver browser;
    private String base;

    @BeforeEach
    void start() throws Exception {
        streams.register(stream);
        warren.get(EventPublisher.class).start();
        users = new BrokerUsers(warren.broker());
        console = Console.start(ConsoleSecurityTest.settings(warren.broker()).withPort(0).withEventsStream(stream));
        base = "http://127.0.0.1:" + console.port();
        browser = Chromium.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            console.close();
            users.deleteAll();
            warren.get(EventPublisher.class).close();
        }
    }

    @Test
    void operatorSeesQueueAndWorkerFindsADeadLetterByItsErrorAndReplaysItUntilTheTaskSucceeds() throws Exception {
        String note = "parcel-" + UUID.randomUUID().toString().substring(0, 8);
        String id = warren.probe().publish(DELIVER, new Delivery(note));
        warren.probe().awaitDeadLetter(id);
        failing.set(false);

        browser.get(base + "/overview");
        assertThat(browser.getCurrentUrl()).contains("/sign-in");
        Chromium.screenshot(browser, "sign-in");
        signIn("guest", "guest");
        WebElement work = awaitElement(By.cssSelector("#queues tr[data-queue='" + warren.queue() + "']"));
        assertThat(work.getText()).startsWith(warren.queue());
        awaitText(By.cssSelector("#queues tr[data-queue='" + warren.queue() + ".dlq'] td:nth-child(2)"), "1");
        awaitElement(By.cssSelector("#chart svg polyline.publish"));
        Chromium.screenshot(browser, "overview");

        browser.get(base + "/workers");
        WebElement worker = awaitElement(By.cssSelector("#workers tr[data-worker^='warren-test-" + warren.queue() + "']"));
        assertThat(worker.getText()).contains(warren.queue());
        assertThat(worker.findElement(By.cssSelector("td.task-types")).getText()).isEqualTo(DELIVER.name());
        Chromium.screenshot(browser, "workers");

        browser.get(base + "/dead-letters?queue=" + warren.queue());
        awaitListed(id);
        browser.findElement(By.id("filter-text")).sendKeys("relay refused " + note);
        browser.findElement(By.id("apply-filter")).click();
        await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(rows()).containsExactly(id));
        Chromium.screenshot(browser, "dead-letters");

        click(By.cssSelector("#dead-letters tr[data-id='" + id + "'] a.open-letter"));
        awaitText(By.id("detail-id"), id);
        assertThat(browser.findElement(By.id("detail-error")).getText())
                .contains(PermanentTaskFailure.class.getName()).contains("mail relay refused " + note);
        assertThat(browser.findElement(By.id("detail-payload")).getText()).contains("\"note\" : \"" + note + "\"");
        assertThat(browser.findElement(By.id("detail-stack")).getText()).contains("PermanentTaskFailure");
        assertThat(browser.findElement(By.id("detail-timeline")).getDomAttribute("href")).isEqualTo("/tasks/" + id);
        Chromium.screenshot(browser, "dead-letter-detail");

        browser.findElement(By.id("detail-replay")).click();
        awaitText(By.id("message"), "replayed 1 of 1 to " + warren.queue());
        await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(delivered).contains(note));
        await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(rows()).isEmpty());
        assertThat(warren.probe().deadLetters()).isEmpty();

        browser.get(base + "/overview");
        awaitText(By.cssSelector("#queues tr[data-queue='" + warren.queue() + ".dlq'] td:nth-child(2)"), "0");
        Chromium.screenshot(browser, "overview-after-replay");

        browser.findElement(By.id("task-search-id")).sendKeys(id + Keys.ENTER);
        awaitText(By.id("task-id"), id);
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/tasks/" + id);
        // The worker's last events reach the stream within about 20 ms; reload until the page shows them.
        await().atMost(PAGE_WAIT).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<String> events = timeline();
            if (!events.contains("succeeded")) {
                browser.navigate().refresh();
            }
            assertThat(events).containsExactly("received", "started", "failed", "dead_lettered", "replayed", "received",
                    "started", "succeeded");
        });
        assertThat(browser.findElement(By.id("task-result")).getText())
                .startsWith("Result: succeeded on attempt 1 by browser-worker");
        assertThat(browser.findElement(By.cssSelector("#timeline tr[data-event='dead_lettered']")).getText())
                .contains("mail relay refused " + note).contains("permanent failure");
        assertThat(browser.findElement(By.cssSelector("#timeline tr[data-event='replayed']")).getText())
                .contains("replayed from " + warren.queue() + ".dlq in the console");
        Chromium.screenshot(browser, "task-timeline");

        browser.findElement(By.linkText("Task types")).click();
        String row = "#types tr[data-type='" + DELIVER.name() + "'][data-queue='" + warren.queue() + "'] ";
        awaitText(By.cssSelector(row + "td.succeeded"), "1");
        assertThat(browser.findElement(By.cssSelector(row + "td.dead-lettered")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.cssSelector(row + "td.failed")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.cssSelector(row + "td.retried")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.cssSelector(row + "td.last-error")).getText())
                .contains(PermanentTaskFailure.class.getName() + ": mail relay refused " + note);
        Chromium.screenshot(browser, "task-types");
    }

    @Test
    void readerWithoutReadOnTheEventsStreamIsToldSoOnTheTaskPages() throws Exception {
        String reader = users.create("console-no-events", PASSWORD, "", "", "^" + warren.queue() + "[.]dlq$");

        browser.get(base + "/sign-in");
        signIn(reader, PASSWORD);
        awaitElement(By.id("queues"));
        browser.get(base + "/types");
        awaitText(By.id("message"), "the broker refused: user '" + reader + "' may not read the events stream '"
                + stream + "': it needs read permission on it");
        Chromium.screenshot(browser, "task-types-refused");
    }

    @Test
    void readOnlyUserSeesNoReplayButtonAndIsRefusedByTheApi() throws Exception {
        String id = warren.probe().publish(DELIVER, new Delivery("kept"));
        warren.probe().awaitDeadLetter(id);
        String reader = users.create("console-reader", PASSWORD, "", "", ".*");

        browser.get(base + "/sign-in");
        signIn(reader, PASSWORD);
        browser.get(base + "/dead-letters?queue=" + warren.queue());
        awaitListed(id);
        assertThat(browser.findElements(By.cssSelector(
                "button.replay, #replay-selected, #replay-matching, #move-selected, #purge-selected, #purge-matching")))
                .isEmpty();
        click(By.cssSelector("#dead-letters tr[data-id='" + id + "'] a.open-letter"));
        awaitText(By.id("detail-id"), id);
        assertThat(browser.findElements(By.id("detail-replay"))).isEmpty();
        Chromium.screenshot(browser, "dead-letters-read-only");

        Object status = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/dead-letters/replay', {method: 'POST', headers: {'Content-Type': 'application/json',
                    'X-CSRF-Token': document.querySelector('input[name=csrf]').value},
                    body: JSON.stringify({queue: arguments[0], ids: [arguments[1]]})}).then(r => done(r.status));
                """, warren.queue(), id);
        assertThat(status).isEqualTo(403L);
        assertThat(warren.probe().deadLetters()).extracting(letter -> letter.messageId()).containsExactly(id);
    }

    @Test
    void wrongPasswordShowsTheFormAgainWithTheReason() throws Exception {
        browser.get(base + "/sign-in");
        signIn("guest", "not-the-password");

        awaitText(By.id("sign-in-error"), "wrong user name or password");
        assertThat(browser.getCurrentUrl()).contains("/sign-in");
        assertThat(browser.findElement(By.id("password")).getDomProperty("value")).isEmpty();
        Chromium.screenshot(browser, "sign-in-refused");
    }

    @Test
    void forgedPostWithoutTheCsrfTokenIsRefused() throws Exception {
        browser.get(base + "/sign-in");
        signIn("guest", "guest");
        awaitElement(By.id("queues"));

        Object status = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/dead-letters/replay', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({queue: arguments[0], ids: ['x']})}).then(r => done(r.status));
                """, warren.queue());

        assertThat(status).isEqualTo(403L);
    }

    private void signIn(String user, String password) {
        awaitElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
    }

    private List<String> timeline() {
        return browser.findElements(By.cssSelector("#timeline tr[data-event]")).stream()
                .map(row -> row.getDomAttribute("data-event")).toList();
    }

    private List<String> rows() {
        return browser.findElements(By.cssSelector("#dead-letters tr[data-id]")).stream()
                .map(row -> row.getDomAttribute("data-id")).toList();
    }

    /**
     * Waits for dead letter {@code id} in the list, reloading the page while it is missing: a letter
     * another reader holds at that instant (the probe that just awaited it releases it
     * asynchronously) is not listed, and the list does not refresh by itself. It reloads only a
     * page that has answered (its summary or a message shown): on a loaded machine the overview and
     * the list can take longer than a poll, and reloading them then would never let them answer.
     */
    private void awaitListed(String id) throws IOException {
        try {
            await().atMost(PAGE_WAIT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                if (!rows().contains(id) && !(textOf("summary").isEmpty() && textOf("message").isEmpty())) {
                    browser.navigate().refresh();
                }
                assertThat(rows()).as("listed; summary '%s', message '%s'", textOf("summary"), textOf("message"))
                        .contains(id);
            });
        } catch (ConditionTimeoutException e) {
            Chromium.screenshot(browser, "dead-letter-not-listed");
            throw e;
        }
    }

    /** The text of the element with id {@code id}, empty when there is none. */
    private String textOf(String id) {
        return browser.findElements(By.id(id)).stream().map(WebElement::getText).findFirst().orElse("");
    }

    private WebElement awaitElement(By by) {
        return await().atMost(PAGE_WAIT).ignoreExceptions().until(() -> browser.findElement(by), element -> true);
    }

    /**
     * Clicks what {@code by} finds once it is there; a list may render its rows again between the
     * find and the click (a stale element, not clicked), so it finds them again.
     */
    private void click(By by) {
        await().atMost(PAGE_WAIT).ignoreException(StaleElementReferenceException.class)
                .untilAsserted(() -> browser.findElement(by).click());
    }

    private void awaitText(By by, String text) {
        await().atMost(PAGE_WAIT).ignoreExceptions()
                .untilAsserted(() -> assertThat(browser.findElement(by).getText()).isEqualTo(text));
    }
}
