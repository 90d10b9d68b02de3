/* global document, window, location, history */
// The search page's behaviour: renders every key from the embedded JSON, then filters it by text,
// service, live and secret. Deep links (#<service>.<key>) land on their key. No dependencies.
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('wazo-config-data').textContent);
  const form = document.getElementById('filters');
  const search = document.getElementById('q');
  const serviceSelect = document.getElementById('service');
  const mutableSelect = document.getElementById('mutable');
  const secretSelect = document.getElementById('secret');
  const status = document.getElementById('status');
  const results = document.getElementById('results');
  const header = document.querySelector('.top');
  const LONG_DEFAULT = 80;

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function code(text, field) {
    const node = el('code', { text: text });
    if (field) node.dataset.field = field;
    return node;
  }

  function valueCode(text) {
    return text === '' ? el('em', { text: 'empty string' }) : code(text);
  }

  function typeNode(type) {
    const parts = [type.types];
    if (type.range) parts.push(type.range);
    const node = el('span', { text: parts.join(', ') });
    if (type.format) node.append(', format ', code(type.format));
    if (type.enum) {
      node.append(', one of ');
      type.enum.forEach((value, i) => node.append(i === 0 ? '' : ', ', valueCode(value)));
    }
    if (type.pattern) node.append(', matching ', code(type.pattern));
    return node;
  }

  function defaultNode(key) {
    if (key.required) return el('span', {}, [el('strong', { text: 'required' }), ': no default, every deployment sets it']);
    if (key.default === undefined) return el('span', { text: 'none' });
    if (key.secret) return el('span', {}, [code(key.default), ' (secret, masked)']);
    if (key.default.length <= LONG_DEFAULT) return valueCode(key.default);
    let pretty = key.default;
    try {
      if (/^[[{]/.test(pretty)) pretty = JSON.stringify(JSON.parse(pretty), null, 2);
    } catch {
      // not JSON: shown as it is
    }
    return el('details', {}, [
      el('summary', { text: `show (${key.default.length} characters)` }),
      el('pre', { text: pretty }),
    ]);
  }

  function fact(term, value) {
    return [el('dt', { text: term }), el('dd', {}, [value])];
  }

  function keyCard(key) {
    const badges = [
      el('span', { class: `badge ${key.mutable ? 'live' : 'restart'}`, text: key.mutable ? 'live' : 'restart' }),
      key.secret ? el('span', { class: 'badge secret', text: 'secret' }) : null,
      key.required ? el('span', { class: 'badge required', text: 'required' }) : null,
      key.deprecated ? el('span', { class: 'badge deprecated', text: 'deprecated' }) : null,
    ];
    const link = el('a', { class: 'key-path', href: `#${key.anchor}`, title: 'Link to this key' }, [
      code(key.key, 'key'),
    ]);
    const examples =
      key.examples &&
      el(
        'span',
        {},
        key.examples.flatMap((v, i) => (i ? [', ', valueCode(v)] : [valueCode(v)])),
      );
    const facts = el(
      'dl',
      { class: 'facts' },
      [
        fact('Type', typeNode(key.type)),
        fact('Default', defaultNode(key)),
        examples ? fact('Examples', examples) : [],
        fact('Env', code(key.env, 'env')),
        fact('Consul', code(key.consul, 'consul')),
      ].flat(),
    );
    const card = el('li', { class: `key${key.mutable ? ' is-live' : ''}`, id: key.anchor, tabindex: '-1' }, [
      el('div', { class: 'key-head' }, [link, ...badges, el('span', { class: 'key-service', text: key.service })]),
      key.description ? el('p', { class: 'desc', 'data-field': 'description', text: key.description }) : null,
      facts,
    ]);
    card.setAttribute('aria-label', `${key.service} ${key.key}`);
    return card;
  }

  const entries = [];
  const sections = [];
  for (const service of data.services) {
    const list = el('ul', { class: 'keys' });
    const counts = service.counts;
    const head = el('div', { class: 'service-head', id: service.name, tabindex: '-1' }, [
      el('h2', {}, [el('code', { text: service.name })]),
      el('span', { class: 'meta', text: `${counts.keys} keys · ${counts.mutable} live · ${counts.secret} secret` }),
      el('a', { href: service.readme, text: 'reference' }),
    ]);
    const section = el('section', { class: 'service', 'aria-label': service.name }, [
      head,
      service.description ? el('p', { class: 'service-desc', text: service.description }) : null,
      list,
    ]);
    results.append(section);
    sections.push({ section, service: service.name, count: 0 });
    serviceSelect.append(el('option', { value: service.name, text: `${service.name} (${counts.keys})` }));
    for (const key of data.keys.filter((k) => k.service === service.name)) {
      const card = keyCard(key);
      list.append(card);
      const haystack = [key.service, key.key, key.env, key.consul, key.description || ''].join('\n').toLowerCase();
      entries.push({ key, card, haystack, section: sections[sections.length - 1] });
    }
  }
  const empty = el('p', { class: 'empty', hidden: '' }, [
    'No key matches. ',
    el('button', { type: 'button', id: 'clear-empty', text: 'Clear the search and filters' }),
  ]);
  results.append(empty);

  function terms() {
    return search.value.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function highlight(node, words) {
    const text = node.dataset.text ?? node.textContent;
    node.dataset.text = text;
    node.textContent = '';
    if (words.length === 0) {
      node.textContent = text;
      return;
    }
    const lower = text.toLowerCase();
    const marks = new Array(text.length).fill(false);
    for (const word of words) {
      for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1))
        marks.fill(true, at, at + word.length);
    }
    let start = 0;
    for (let i = 1; i <= text.length; i++) {
      if (i === text.length || marks[i] !== marks[start]) {
        const piece = text.slice(start, i);
        node.append(marks[start] ? el('mark', { text: piece }) : piece);
        start = i;
      }
    }
  }

  function apply() {
    const words = terms();
    const service = serviceSelect.value;
    const mutable = mutableSelect.value;
    const secret = secretSelect.value;
    let shown = 0;
    for (const s of sections) s.count = 0;
    for (const entry of entries) {
      const { key } = entry;
      const visible =
        words.every((w) => entry.haystack.includes(w)) &&
        (!service || key.service === service) &&
        (!mutable || (mutable === 'live') === key.mutable) &&
        (!secret || (secret === 'secret') === key.secret);
      entry.card.hidden = !visible;
      if (visible) {
        shown++;
        entry.section.count++;
        for (const node of entry.card.querySelectorAll('[data-field]')) highlight(node, words);
      }
    }
    for (const s of sections) s.section.hidden = s.count === 0;
    empty.hidden = shown > 0;
    const filtered = words.length > 0 || service || mutable || secret;
    const inServices = sections.filter((s) => s.count > 0).length;
    status.textContent = filtered
      ? `${shown} of ${entries.length} keys match, in ${inServices} service${inServices === 1 ? '' : 's'}.`
      : `${entries.length} keys in ${sections.length} services.`;
  }

  function clearAll() {
    form.reset();
    apply();
  }

  function measureHeader() {
    const sticky = window.getComputedStyle(header).position === 'sticky';
    document.documentElement.style.setProperty('--header-h', `${sticky ? header.offsetHeight : 0}px`);
  }

  function showTarget() {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target || !results.contains(target)) return;
    if (target.closest('[hidden]')) clearAll();
    for (const old of results.querySelectorAll('.is-target')) old.classList.remove('is-target');
    target.classList.add('is-target');
    measureHeader();
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const first = entries.find((entry) => !entry.card.hidden);
    if (first) first.card.querySelector('.key-path').focus();
  });
  form.addEventListener('reset', () => window.setTimeout(apply));
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  document.getElementById('clear-empty').addEventListener('click', () => {
    clearAll();
    search.focus();
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && search.value) {
      event.preventDefault();
      search.value = '';
      apply();
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
  window.addEventListener('hashchange', showTarget);
  window.addEventListener('resize', measureHeader);

  if (history.scrollRestoration) history.scrollRestoration = 'manual';
  apply();
  measureHeader();
  showTarget();
})();
