// Symphony motif bridge: DOM events -> Rust, patches -> DOM.
//
// The page holds the element #motif-root with the rendered view as its first child and a
// JSON script element #motif-config naming the transport. (This file is inlined into a
// script element: it must never contain a script tag or an HTML comment opener.) Event
// bindings are `data-motif-on-<event>` attributes; which handler runs is decided in Rust.
// DOM nodes are built with createElement/setAttribute/createTextNode only (never
// innerHTML), and `on*` attributes are dropped even if a patch carried one.
(() => {
  'use strict';
  const root = document.getElementById('motif-root');
  const configNode = document.getElementById('motif-config');
  if (!root || !configNode) {
    return;
  }
  const config = JSON.parse(configNode.textContent);
  const EVENTS = ['click', 'dblclick', 'input', 'change', 'submit', 'keydown', 'focusout'];
  let queue = Promise.resolve();

  function nodeAt(path) {
    let node = root.firstChild;
    for (const index of path) {
      if (!node) {
        return null;
      }
      node = node.childNodes[index] || null;
    }
    return node;
  }

  function pathOf(node) {
    const path = [];
    while (node && node.parentNode !== root) {
      const parent = node.parentNode;
      if (!parent) {
        return null;
      }
      path.unshift(Array.prototype.indexOf.call(parent.childNodes, node));
      node = parent;
    }
    return node ? path : null;
  }

  function setAttr(element, name, value) {
    if (/^on/i.test(name)) {
      return;
    }
    element.setAttribute(name, value);
    // Attributes do not change what a control shows once the user has typed.
    if (name === 'value' && 'value' in element) {
      element.value = value;
    } else if (name === 'checked' && 'checked' in element) {
      element.checked = true;
    }
  }

  function removeAttr(element, name) {
    element.removeAttribute(name);
    if (name === 'checked' && 'checked' in element) {
      element.checked = false;
    }
  }

  function build(spec) {
    if (typeof spec === 'string') {
      return document.createTextNode(spec);
    }
    const element = document.createElement(spec.tag);
    for (const [name, value] of spec.attrs || []) {
      setAttr(element, name, value);
    }
    for (const child of spec.children || []) {
      element.appendChild(build(child));
    }
    return element;
  }

  function fail(message) {
    root.setAttribute('data-motif-error', message);
    throw new Error('motif bridge: ' + message);
  }

  function applyPatch(patch) {
    const node = nodeAt(patch.path);
    if (!node) {
      fail('no node at ' + JSON.stringify(patch.path) + ' for ' + patch.op);
    }
    switch (patch.op) {
      case 'replace':
        node.parentNode.replaceChild(build(patch.node), node);
        break;
      case 'text':
        node.data = patch.text;
        break;
      case 'setAttr':
        setAttr(node, patch.name, patch.value);
        break;
      case 'removeAttr':
        removeAttr(node, patch.name);
        break;
      case 'insert':
        node.insertBefore(build(patch.node), node.childNodes[patch.index] || null);
        break;
      case 'remove':
        node.parentNode.removeChild(node);
        break;
      case 'move': {
        // Taken out first, so `to` counts the remaining children (moves go either way).
        const child = node.childNodes[patch.from];
        if (!child) {
          fail('no child ' + patch.from + ' at ' + JSON.stringify(patch.path) + ' to move');
        }
        node.removeChild(child);
        node.insertBefore(child, node.childNodes[patch.to] || null);
        break;
      }
      default:
        fail('unknown patch ' + patch.op);
    }
  }

  function applyPatches(patches) {
    for (const patch of patches) {
      applyPatch(patch);
    }
    root.setAttribute('data-motif-applied', String(Number(root.getAttribute('data-motif-applied') || 0) + 1));
  }

  function send(message) {
    const body = JSON.stringify(message);
    if (config.transport === 'tauri') {
      return window.__TAURI_INTERNALS__.invoke('plugin:motifs|event', {
        motif: config.motif,
        message: body,
      });
    }
    return fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then((response) => {
      if (!response.ok) {
        return response.text().then((text) => fail('host refused event: ' + text));
      }
      return response.json();
    });
  }

  function onEvent(domEvent) {
    const type = domEvent.type;
    const target = domEvent.target instanceof Element ? domEvent.target : null;
    const bound = target && target.closest('[data-motif-on-' + type + ']');
    if (!bound || !root.contains(bound)) {
      return;
    }
    if (type === 'submit' || (type === 'click' && bound.tagName === 'A')) {
      domEvent.preventDefault();
    }
    const path = pathOf(bound);
    if (!path) {
      return;
    }
    const message = { type: 'event', event: type, path };
    if ('value' in bound && typeof bound.value === 'string') {
      message.value = bound.value;
    }
    if (type === 'keydown') {
      message.key = domEvent.key;
    }
    // One event at a time, in order: each reply's patches assume the previous ones.
    queue = queue
      .then(() => send(message))
      .then((reply) => applyPatches((reply && reply.patches) || []))
      .catch((error) => root.setAttribute('data-motif-error', String(error)));
  }

  for (const type of EVENTS) {
    document.addEventListener(type, onEvent, true);
  }
  // Patches pushed by the host (not in reply to an event) come through here.
  window.__symphonyMotif = { applyPatches };
  // In Tauri, the host also pushes patches (updates it started) as an event.
  const internals = window.__TAURI_INTERNALS__;
  if (config.transport === 'tauri' && internals) {
    const handler = internals.transformCallback((event) => {
      const payload = event && event.payload;
      if (payload && payload.motif === config.motif) {
        queue = queue
          .then(() => applyPatches(payload.patches || []))
          .catch((error) => root.setAttribute('data-motif-error', String(error)));
      }
    });
    internals.invoke('plugin:event|listen', {
      event: 'motifs://patches',
      target: { kind: 'Any' },
      handler,
    });
  }
})();
