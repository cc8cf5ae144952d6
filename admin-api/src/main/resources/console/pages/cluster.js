// Cluster (root key): the nodes and their live session counts.

import { h, errorBox, dataTable, loader } from '../dom.js';
import { get } from '../api.js';

export function clusterPage() {
  const error = errorBox();
  const table = dataTable('Cluster nodes', [
    { label: 'Node', cell: (n) => h('span', { class: 'mono' }, n.id) },
    { label: 'Sessions', cell: (n) => String(n.sessions) },
    { label: 'This node', cell: (n) => (n.self ? 'Yes (serving this console)' : '') },
  ], 'No nodes.');
  const refresh = loader(table, error, async () => (await get('/v1/cluster')).nodes.map((n) => ({ ...n, name: n.id })));
  return { node: h('section', {}, h('div', { class: 'page-head' }, h('h1', {}, 'Cluster')), error.el, table.table), refresh };
}
