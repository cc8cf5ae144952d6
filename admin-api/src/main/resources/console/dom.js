// DOM helpers. Every value reaches the page as a text node or an attribute value, never as markup:
// nothing here (nor anywhere in the console) assigns innerHTML.

/** Creates an element: attributes (on* are listeners; value/checked/disabled are properties), then children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled') el[k] = v;
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

let ids = 0;
/** A fresh element id, for label/aria references. */
export function uid(prefix = 'id') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form field; returns {row, input}. */
export function field(label, input, hint) {
  const id = input.id || uid('f');
  input.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  const row = input.type === 'checkbox'
    ? h('div', { class: 'field check' }, input, h('label', { for: id }, label), hintEl)
    : h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl);
  return { row, input };
}

/** An element that shows a refusal from the API (role=alert, so screen readers announce it). */
export function errorBox() {
  const box = h('p', { class: 'error', role: 'alert', hidden: true });
  return {
    el: box,
    show(err) {
      box.textContent = err && err.message ? err.message : String(err);
      box.hidden = false;
    },
    clear() {
      box.textContent = '';
      box.hidden = true;
    },
  };
}

/** ISO-8601 UTC as "2026-12-01 08:44:15 UTC"; absent as an em dash. */
export function when(iso) {
  if (!iso) return '\u2014';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

/**
 * A table whose body is replaced only when its rows changed, keeping keyboard focus on the control with the same
 * data-key, so polling does not pull focus away from an operator.
 */
export function dataTable(caption, columns, emptyText) {
  const tbody = h('tbody');
  const table = h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    tbody);
  let last = null;
  let rows = [];
  const render = () => {
    const focused = document.activeElement && tbody.contains(document.activeElement)
      ? document.activeElement.dataset.key : null;
    tbody.replaceChildren(...(rows.length
      ? rows.map((r) => h('tr', { 'data-name': r.name ?? r.id ?? '' }, columns.map((c) => h('td', {}, c.cell(r)))))
      : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, emptyText))]));
    if (focused) {
      const again = [...tbody.querySelectorAll('[data-key]')].find((e) => e.dataset.key === focused);
      if (again) again.focus();
    }
  };
  return {
    table,
    update(newRows, extraState = '') {
      const key = JSON.stringify(newRows) + extraState;
      if (key === last) return;
      last = key;
      rows = newRows;
      render();
    },
  };
}

/**
 * The refresh of a list page: loads the rows and shows them, or shows the refusal and keeps the rows shown last
 * (a failed poll never blanks a list). Only the latest load is shown: a slow poll that answers after a newer load
 * (say, the one after an Approve) cannot bring back the older state.
 */
export function loader(table, error, rows) {
  let latest = 0;
  return async () => {
    latest += 1;
    const mine = latest;
    try {
      const loaded = await rows();
      if (mine !== latest) return;
      error.clear();
      table.update(loaded);
    } catch (e) {
      if (mine === latest) error.show(e);
    }
  };
}
