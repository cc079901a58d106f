'use strict';
/* Workers: each connection that consumes, with its host, consumers, prefetch, in-flight tasks and task types; every 5 s. */
(() => {
  const { api, el, poll } = Warren;
  const table = el('table', { id: 'workers' });
  document.getElementById('main').append(table,
    el('p', { class: 'hint' }, 'A user with only the management tag sees its own connections; monitoring sees all.'));

  poll(5000, async () => {
    const { workers } = await api('GET', '/api/workers');
    const head = el('tr', {}, ['worker', 'host', 'user', 'consumers', 'prefetch', 'in flight', 'connected since',
      'queues', 'task types', 'client'].map(name => el('th', {}, name)));
    const rows = workers.map(w => el('tr', { 'data-worker': w.name, title: w.connection },
      el('td', {}, w.name), el('td', {}, w.host), el('td', {}, w.user), el('td', { class: 'num' }, w.consumers),
      el('td', { class: 'num' }, w.prefetch.join(', ')), el('td', { class: 'num' }, w.in_flight),
      el('td', {}, new Date(w.connected_since).toLocaleString()), el('td', {}, w.queues.join(', ')),
      el('td', { class: 'task-types' }, w.task_types.join(', ')), el('td', {}, w.client)));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows.length ? rows
      : el('tr', {}, el('td', { colspan: 10 }, 'No worker is consuming.'))));
  });
})();
