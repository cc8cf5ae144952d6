// Accounts (root key): list and New Account, whose default token value is shown once.

import { h, field, errorBox, when, dataTable, loader } from '../dom.js';
import { get, post, seg } from '../api.js';
import { formDialog, secretValue } from '../dialogs.js';
import { installSnippets } from '../snippets.js';

export function accountsPage(ctx) {
  const error = errorBox();
  const table = dataTable('Accounts', [
    { label: 'Name', cell: (a) => h('a', { href: `#/a/${seg(a.id)}/tokens`, 'data-key': `open:${a.id}` }, a.name) },
    { label: 'ID', cell: (a) => h('span', { class: 'mono' }, a.id) },
    { label: 'Created', cell: (a) => when(a.createdAt) },
  ], 'No accounts yet.');

  const refresh = loader(table, error, async () => (await get('/v1/accounts')).items);

  function newAccount() {
    const name = field('Name', h('input', { type: 'text', required: true, autocomplete: 'off' }));
    formDialog({
      title: 'New Account',
      wide: true,
      fields: [name.row],
      submitLabel: 'Create',
      submit: async () => {
        const a = await post('/v1/accounts', { name: name.input.value });
        refresh();
        return [
          h('p', {}, 'Account ', h('strong', {}, a.name), ' created with ID ', h('span', { class: 'mono', 'data-account-id': a.id }, a.id),
            ', a profile named primary and a token named default.'),
          secretValue('Token value of default', a.defaultToken.value),
          h('p', {}, h('a', { href: `#/a/${seg(a.id)}/tokens` }, `Open ${a.name}`)),
          installSnippets(a.id, a.defaultToken.value),
        ];
      },
    });
  }

  const node = h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Accounts'),
      h('button', { type: 'button', class: 'primary', onclick: newAccount }, 'New Account')),
    error.el, table.table);
  return { node, refresh };
}
