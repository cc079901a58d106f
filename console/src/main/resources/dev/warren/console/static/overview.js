'use strict';
/* Overview: the Warren queues with their retry queues and DLQ, and the throughput chart; every 3 s. */
(() => {
  const { api, el, poll, rate } = Warren;
  const main = document.getElementById('main');
  const chart = el('div', { id: 'chart' });
  const table = el('table', { id: 'queues' });
  main.append(el('h2', {}, 'Throughput of the work queues, last 5 minutes'), chart,
    el('h2', {}, 'Queues'), table);

  function row(stats, kind, label) {
    const cell = value => el('td', { class: 'num' + (kind === 'dlq' && value > 0 ? ' nonzero' : '') }, value);
    return el('tr', { class: kind === 'work' ? 'work' : 'sub ' + kind, 'data-queue': stats.name },
      el('td', {}, label || stats.name), cell(stats.ready), cell(stats.unacked), cell(stats.consumers),
      el('td', { class: 'num' }, rate(stats.publish_rate)), el('td', { class: 'num' }, rate(stats.deliver_rate)),
      el('td', { class: 'num' }, rate(stats.ack_rate)));
  }

  function renderTable(overview) {
    const head = el('tr', {}, ['queue', 'ready', 'unacked', 'consumers', 'publish', 'deliver', 'ack']
      .map((name, i) => el('th', { class: i ? 'num' : '' }, name)));
    const rows = overview.queues.flatMap(group => [row(group.work, 'work'),
      ...group.retries.map(retry => row(retry, 'retry')),
      row(group.dlq, 'dlq', el('a', { href: '/dead-letters?queue=' + encodeURIComponent(group.work.name) }, group.dlq.name))]);
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows.length ? rows
      : el('tr', {}, el('td', { colspan: 7 }, 'No Warren work queues in vhost ' + overview.vhost + ' yet.'))));
  }

  function renderChart(points) {
    const width = 640, height = 160, pad = 4;
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    const max = Math.max(1, ...points.flatMap(p => [p.publish, p.deliver, p.ack]));
    const first = points.length ? points[0].time : 0;
    const span = Math.max(1, (points.length ? points[points.length - 1].time : 1) - first);
    ['publish', 'deliver', 'ack'].forEach(series => {
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('class', series);
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke-width', '2');
      line.setAttribute('points', points.map(p => (pad + (p.time - first) / span * (width - 2 * pad)).toFixed(1) + ','
        + (height - pad - p[series] / max * (height - 2 * pad)).toFixed(1)).join(' '));
      svg.append(line);
    });
    const legend = el('div', { class: 'legend' }, el('span', { class: 'publish' }, 'publish'),
      el('span', { class: 'deliver' }, 'deliver'), el('span', { class: 'ack' }, 'ack'),
      el('span', {}, 'peak ' + max.toFixed(1) + '/s'));
    chart.replaceChildren(svg, legend);
  }

  poll(3000, async () => {
    const overview = await api('GET', '/api/overview');
    renderTable(overview);
    renderChart(overview.throughput);
  });
})();
