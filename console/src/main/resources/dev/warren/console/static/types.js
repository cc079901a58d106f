'use strict';
/* Task types: per type and queue, what the task-event stream says of the window; every 15 s. */
(() => {
  const { api, el, message, poll } = Warren;
  const main = document.getElementById('main');
  const windowChoice = el('select', { id: 'window', onchange: () => load().catch(e => message(e.message, 'error')) },
    ['5m', '15m', '1h', '6h', '24h'].map(w => el('option', { value: w, selected: w === '15m' }, 'last ' + w)));
  const summary = el('p', { id: 'types-summary', class: 'hint' });
  const table = el('table', { id: 'types' });
  main.append(el('form', { class: 'filters', onsubmit: e => e.preventDefault() }, el('label', {}, 'Window', windowChoice)),
    summary, table);

  const number = value => (value === null || value === undefined ? '' : value);
  const perSecond = value => (value || 0).toFixed(value >= 1 ? 1 : 3) + '/s';

  async function load() {
    const data = await api('GET', '/api/types?window=' + encodeURIComponent(windowChoice.value));
    summary.textContent = data.events + ' events in the last ' + data.window + ' from stream ' + data.stream
      + ', read in ' + data.read_ms + ' ms' + (data.complete ? '' : ' (incomplete: the read ran out of time; choose a shorter window)');
    const head = el('tr', {}, ['task type', 'queue', 'succeeded', 'retried', 'dead-lettered', 'failed', 'succeeded/s',
      'retried/s', 'dead-lettered/s', 'run time p50', 'p95', 'p99', 'last error']
      .map((name, i) => el('th', { class: i >= 2 && i < 12 ? 'num' : null }, name)));
    const rows = data.types.map(t => el('tr', { 'data-type': t.task_type, 'data-queue': t.queue },
      el('td', {}, t.task_type), el('td', {}, t.queue),
      el('td', { class: 'num succeeded' }, t.succeeded), el('td', { class: 'num retried' }, t.retried),
      el('td', { class: 'num dead-lettered' }, t.dead_lettered), el('td', { class: 'num failed' }, t.failed),
      el('td', { class: 'num' }, perSecond(t.succeeded_rate)), el('td', { class: 'num' }, perSecond(t.retried_rate)),
      el('td', { class: 'num' }, perSecond(t.dead_lettered_rate)),
      ['p50', 'p95', 'p99'].map(p => el('td', { class: 'num' }, t.run_time_ms[p] === null ? '' : number(t.run_time_ms[p]) + ' ms')),
      el('td', { class: 'last-error' }, t.last_error
        ? [t.last_error.error + (t.last_error.error_message ? ': ' + t.last_error.error_message : ''), el('br'),
          el('span', { class: 'hint' }, new Date(t.last_error.at).toLocaleString() + ' '),
          t.last_error.message_id ? el('a', { href: '/tasks/' + encodeURIComponent(t.last_error.message_id) }, 'timeline') : null]
        : '')));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows.length ? rows
      : el('tr', {}, el('td', { colspan: 13 }, 'No task finished an attempt in this window.'))));
  }

  poll(15000, load);
})();
