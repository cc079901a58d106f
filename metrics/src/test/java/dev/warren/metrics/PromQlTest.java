package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The PromQL name finder that the docs' metric-name check relies on. */
class PromQlTest {

    @Test
    void findsTheMetricsOfAnExpressionAndNothingElse() {
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le, task_type) "
                + "(rate(warren_task_duration_seconds_bucket{queue=~\"$queue\",x=\"rate(no_metric)\"}[$__rate_interval])))"))
                .containsExactly("warren_task_duration_seconds_bucket");
        assertThat(PromQl.metricNames("sum by (queue, task_type) (rate(warren_tasks_total{outcome!=\"succeeded\"}[10m]))\n/\n"
                + "sum by (queue, task_type) (rate(warren_tasks_total[10m])) > 0.1 and on (queue) up == bool 1e3 offset 5m"))
                .containsExactly("up", "warren_tasks_total");
        assertThat(PromQl.metricNames("max by (queue) (delta(warren_queue_messages{queue=~\".+\\\\.dlq\"}[15m])) > 0"))
                .containsExactly("warren_queue_messages");
        assertThat(PromQl.metricNames("sum(rate(a_total[5m])) without (instance) / ignoring(x) group_left b"))
                .containsExactly("a_total", "b");
    }

    @Test
    void readsGrafanaLabelValuesQueries() {
        assertThat(PromQl.metricNames("label_values(warren_tasks_in_flight, queue)")).containsExactly("warren_tasks_in_flight");
        assertThat(PromQl.metricNames("label_values(warren_queue_messages{queue=~\"a.*\"}, queue)"))
                .containsExactly("warren_queue_messages");
    }

    @Test
    void aMadeUpNameIsFound() {
        assertThat(PromQl.metricNames("rate(warren_made_up_total[5m])")).containsExactly("warren_made_up_total");
    }
}
