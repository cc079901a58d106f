package dev.warren.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskModuleTest {

    record Greeting(String userName) {
    }

    static final class Greet implements TaskHandler<Greeting, String> {
        @Override
        public String handle(Greeting payload, TaskContext context) {
            return "hello " + payload.userName();
        }
    }

    static final class Teams extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("greet", Greeting.class, Greet.class);
        }
    }

    static final class Marketing extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("greet", Greeting.class, Greet.class);
        }
    }

    static final class Other extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("wave", Greeting.class, Greet.class, TaskOptions.timeLimit(java.time.Duration.ofSeconds(5)));
        }
    }

    static final TaskType<Greeting, String> GREET = TaskType.of("greet", Greeting.class, String.class);

    static final class Typed extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask(GREET, Greet.class, TaskOptions.builder().maxAttempts(2).build());
            bindTask(TaskType.of("shout", Greeting.class, String.class), (greeting, context) -> greeting.userName() + "!");
        }
    }

    private static final Key<Map<String, TaskDefinition>> TASKS = Key.get(new TypeLiteral<>() { });

    @Test
    void taskModulesContributeToOneMapKeyedByType() throws Exception {
        Map<String, TaskDefinition> tasks = Guice.createInjector(new Teams(), new Other()).getInstance(TASKS);
        assertThat(tasks).containsOnlyKeys("greet", "wave");
        assertThat(tasks.get("wave").options().timeLimit()).hasSeconds(5);
        assertThat(tasks.get("greet").run(new Greeting("Ann"), null)).isEqualTo("hello Ann");
    }

    @Test
    void aDuplicateTaskTypeFailsAtInjectorCreation() {
        assertThatThrownBy(() -> Guice.createInjector(new Teams(), new Marketing()))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("greet");
    }

    @Test
    void typedRegistrationsJoinTheSameMapWithTheirResultTypeAndOptions() throws Exception {
        Map<String, TaskDefinition> tasks = Guice.createInjector(new Typed(), new Other()).getInstance(TASKS);

        assertThat(tasks).containsOnlyKeys("greet", "shout", "wave");
        assertThat(tasks.get("greet").resultType()).isEqualTo(String.class);
        assertThat(tasks.get("greet").options().maxAttempts()).isEqualTo(2);
        assertThat(tasks.get("greet").run(new Greeting("Ann"), null)).isEqualTo("hello Ann");
        assertThat(tasks.get("shout").run(new Greeting("Ann"), null)).isEqualTo("Ann!");
        assertThat(tasks.get("wave").resultType()).isEqualTo(Object.class);
    }

    @Test
    void aTypedRegistrationOfANameRegisteredByStringFailsAtInjectorCreation() {
        assertThatThrownBy(() -> Guice.createInjector(new Teams(), new Typed()))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("greet");
    }
}
