// Symphony motif bridge: DOM events -> Rust, patches -> DOM.
//
// This file is the text of one function. The Rust side calls it with the view allow-list
// (src/view/policy.json) as POLICY, so the bridge and the Rust renderer read one list, and
// with the names Rust defines (bridged events, Tauri command and event) as NAMES, so no name
// is written twice; the page never sees either: nothing is put on `window`.
//
// The page holds the element #motif-root with the rendered view as its first child, then a
// JSON script element #motif-config naming the transport, then this script. (It is inlined
// into a script element: it must never contain a script tag or an HTML comment opener.)
// Event bindings are `data-motif-on-<event>` attributes; which handler runs is decided in
// Rust. Patches are checked against the same rules the Rust side applies before they touch
// the DOM (elements by namespace, attribute names, URL schemes, styles, SVG animations);
// what Rust would refuse is refused here, and nothing rests on the page's CSP. DOM nodes are
// built with createElement(NS)/setAttribute(NS)/createTextNode only (never innerHTML), and
// DOM methods are taken from the prototypes before any view markup can shadow them
// (`<form name="getElementById">`, `<input name="parentNode">`).
(POLICY, NAMES) => {
  'use strict';
  const method = (proto, name) => {
    const fn = proto[name];
    return (target, ...args) => Reflect.apply(fn, target, args);
  };
  const getter = (proto, name) => {
    const get = Object.getOwnPropertyDescriptor(proto, name).get;
    return (target) => Reflect.apply(get, target, []);
  };
  const dom = Object.freeze({
    currentScript: getter(Document.prototype, 'currentScript'),
    createElement: method(Document.prototype, 'createElement'),
    createElementNS: method(Document.prototype, 'createElementNS'),
    createTextNode: method(Document.prototype, 'createTextNode'),
    listen: method(EventTarget.prototype, 'addEventListener'),
    parent: getter(Node.prototype, 'parentNode'),
    children: getter(Node.prototype, 'childNodes'),
    firstChild: getter(Node.prototype, 'firstChild'),
    nodeType: getter(Node.prototype, 'nodeType'),
    contains: method(Node.prototype, 'contains'),
    insertBefore: method(Node.prototype, 'insertBefore'),
    removeChild: method(Node.prototype, 'removeChild'),
    replaceChild: method(Node.prototype, 'replaceChild'),
    setData: Object.getOwnPropertyDescriptor(CharacterData.prototype, 'data').set,
    previous: getter(Element.prototype, 'previousElementSibling'),
    localName: getter(Element.prototype, 'localName'),
    namespace: getter(Element.prototype, 'namespaceURI'),
    id: getter(Element.prototype, 'id'),
    closest: method(Element.prototype, 'closest'),
    getAttribute: method(Element.prototype, 'getAttribute'),
    getAttributeNS: method(Element.prototype, 'getAttributeNS'),
    setAttribute: method(Element.prototype, 'setAttribute'),
    setAttributeNS: method(Element.prototype, 'setAttributeNS'),
    removeAttribute: method(Element.prototype, 'removeAttribute'),
    removeAttributeNS: method(Element.prototype, 'removeAttributeNS'),
    textContent: getter(Node.prototype, 'textContent'),
    documentElement: getter(Document.prototype, 'documentElement'),
    style: getter(HTMLElement.prototype, 'style'),
    setProperty: method(CSSStyleDeclaration.prototype, 'setProperty'),
  });

  const script = dom.currentScript(document);
  const configNode = script && dom.previous(script);
  const root = configNode && dom.previous(configNode);
  if (!configNode || dom.id(configNode) !== 'motif-config' || !root || dom.id(root) !== 'motif-root') {
    return;
  }
  const config = JSON.parse(dom.textContent(configNode));
  // The events, the Tauri command and the patch event, as Rust defines them (bridge/mod.rs).
  const EVENTS = Object.freeze(NAMES.events.slice());
  let queue = Promise.resolve();

  // ---- The allow-list (mirrors src/view/{policy,url,attribute}.rs) ----
  const NS = Object.freeze({
    html: 'http://www.w3.org/1999/xhtml',
    svg: 'http://www.w3.org/2000/svg',
    math: 'http://www.w3.org/1998/Math/MathML',
  });
  const XLINK = 'http://www.w3.org/1999/xlink';
  const ELEMENTS = Object.freeze({
    html: new Set(POLICY.htmlElements),
    svg: new Set(POLICY.svgElements),
    // MathML only where the browser implements it; elsewhere a <math> is refused.
    math: new Set(typeof MathMLElement === 'function' ? POLICY.mathElements : []),
  });
  const TEXT_ONLY = new Set(POLICY.textOnlyElements);
  const SCHEMES = new Set(POLICY.schemes);
  const URL_ATTRIBUTES = new Set(POLICY.urlAttributes);
  const URL_SPACE_LISTS = new Set(POLICY.urlSpaceListAttributes);
  const URL_CANDIDATE_LISTS = new Set(POLICY.urlCandidateListAttributes);
  const REFUSED_ATTRIBUTES = new Set(POLICY.refusedAttributes);
  const REFUSED_PREFIXES = Object.freeze(POLICY.refusedAttributePrefixes.slice());
  const PREFIXED = new Set(POLICY.prefixedAttributes);
  const ANIMATIONS = new Set(POLICY.animationElements);
  const ANIMATION_VALUES = new Set(POLICY.animationValueAttributes);
  const REFUSED_TARGETS = new Set(POLICY.refusedAnimationTargets);
  const STYLE = POLICY.styleAttribute;
  const REFUSED_STYLE_TEXT = Object.freeze(POLICY.refusedStyleText.slice());
  const REFUSED_URL = 'about:invalid#refused';
  const ASCII_SPACE = /[ \t\n\f\r]+/;

  const asciiLower = (text) => text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  const words = (text) => text.split(ASCII_SPACE).filter((word) => word !== '');

  function allowedUrl(url) {
    // As browsers read a URL: C0 controls and spaces trimmed, tabs and newlines removed.
    const cleaned = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    const end = cleaned.search(/[:/?#]/);
    if (end < 0 || cleaned[end] !== ':') {
      return true;
    }
    return SCHEMES.has(asciiLower(cleaned.slice(0, end)));
  }

  function isUrlAttribute(lower) {
    return URL_ATTRIBUTES.has(lower) || URL_SPACE_LISTS.has(lower) || URL_CANDIDATE_LISTS.has(lower);
  }

  // Whether every URL in the value is allowed; null if the attribute holds no URL.
  function urlAttributeAllows(lower, value) {
    if (URL_ATTRIBUTES.has(lower)) {
      return allowedUrl(value);
    }
    if (URL_SPACE_LISTS.has(lower)) {
      return words(value).every(allowedUrl);
    }
    if (URL_CANDIDATE_LISTS.has(lower)) {
      return value.split(',').every((candidate) => {
        const url = words(candidate)[0];
        return url === undefined || allowedUrl(url);
      });
    }
    return null;
  }

  function styleAllows(style) {
    const lower = asciiLower(style);
    if (REFUSED_STYLE_TEXT.some((text) => lower.includes(text))) {
      return false;
    }
    return lower.split('url(').slice(1).every((rest) =>
      allowedUrl(rest.split(')')[0].replace(/^[ \t\n\f\r"']+|[ \t\n\f\r"']+$/g, '')));
  }

  function forbiddenTarget(attributeName) {
    const name = asciiLower(attributeName.replace(/^[ \t\n\f\r]+|[ \t\n\f\r]+$/g, ''));
    const local = name.split(':').pop();
    return [name, local].some((candidate) =>
      isUrlAttribute(candidate) || candidate.startsWith('on') || REFUSED_TARGETS.has(candidate));
  }

  // The value attribute `name` may take on element `tag`, cleaned; fails if it is refused.
  function cleanAttribute(tag, animatesForbidden, name, value) {
    if (typeof name !== 'string' || typeof value !== 'string') {
      fail('attribute name and value must be strings');
    }
    const refuse = (reason) => fail('attribute `' + name + '` on <' + tag + '> is not allowed (' + reason + ')');
    if (!/^[A-Za-z][A-Za-z0-9\-_:.]*$/.test(name)) {
      refuse('not a valid attribute name');
    }
    const lower = asciiLower(name);
    if (REFUSED_PREFIXES.some((prefix) => lower.startsWith(prefix)) || REFUSED_ATTRIBUTES.has(lower)) {
      refuse('event handler or markup');
    }
    if (lower.includes(':') && !PREFIXED.has(lower)) {
      refuse('namespace prefix');
    }
    if (ANIMATIONS.has(tag)) {
      const refusedTarget = lower === 'attributename' && forbiddenTarget(value);
      if (refusedTarget || (animatesForbidden && ANIMATION_VALUES.has(lower))) {
        refuse('animation of a URL attribute, an event handler or style');
      }
    }
    const urls = urlAttributeAllows(lower, value);
    if (urls !== null) {
      return urls ? value : REFUSED_URL;
    }
    if (lower === STYLE && !styleAllows(value)) {
      return '';
    }
    return value;
  }

  function animatesForbidden(tag, attrs) {
    return ANIMATIONS.has(tag) && attrs.some(([name, value]) =>
      typeof name === 'string' && typeof value === 'string' &&
      asciiLower(name) === 'attributename' && forbiddenTarget(value));
  }

  // The namespace (key of NS) the children of `element` are created in.
  function namespaceOf(element) {
    const uri = dom.namespace(element);
    return uri === NS.svg ? 'svg' : uri === NS.math ? 'math' : 'html';
  }

  function enter(namespace, tag) {
    if (namespace === 'html' && (tag === 'svg' || tag === 'math')) {
      return tag;
    }
    return namespace;
  }

  // ---- The DOM ----
  function nodeAt(path) {
    let node = dom.firstChild(root);
    for (const index of path) {
      if (!node) {
        return null;
      }
      node = dom.children(node)[index] || null;
    }
    return node;
  }

  function pathOf(node) {
    const path = [];
    while (node && dom.parent(node) !== root) {
      const parent = dom.parent(node);
      if (!parent) {
        return null;
      }
      path.unshift(Array.prototype.indexOf.call(dom.children(parent), node));
      node = parent;
    }
    return node ? path : null;
  }

  function isElement(node) {
    return node && dom.nodeType(node) === Node.ELEMENT_NODE;
  }

  // `xlink:` names go in the XLink namespace, lowercase, as the HTML parser puts them.
  function writeAttr(element, name, value) {
    if (namespaceOf(element) !== 'html' && asciiLower(name).startsWith('xlink:')) {
      dom.setAttributeNS(element, XLINK, asciiLower(name), value);
    } else {
      dom.setAttribute(element, name, value);
    }
  }

  function setAttr(element, name, value) {
    const tag = dom.localName(element);
    const target = dom.getAttribute(element, 'attributeName');
    const forbidden = ANIMATIONS.has(tag) && target !== null && forbiddenTarget(target);
    const cleaned = cleanAttribute(tag, forbidden, name, value);
    writeAttr(element, name, cleaned);
    // Attributes do not change what a control shows once the user has typed.
    if (name === 'value' && 'value' in element) {
      element.value = cleaned;
    } else if (name === 'checked' && 'checked' in element) {
      element.checked = true;
    }
  }

  function removeAttr(element, name) {
    if (typeof name !== 'string') {
      fail('attribute name must be a string');
    }
    if (namespaceOf(element) !== 'html' && asciiLower(name).startsWith('xlink:')) {
      dom.removeAttributeNS(element, XLINK, asciiLower(name.slice(name.indexOf(':') + 1)));
    } else {
      dom.removeAttribute(element, name);
    }
    if (name === 'checked' && 'checked' in element) {
      element.checked = false;
    }
  }

  // Builds `spec` as a child of `parent`, under the rules that hold there.
  function build(spec, parent) {
    if (typeof spec === 'string') {
      return dom.createTextNode(document, spec);
    }
    if (!spec || typeof spec !== 'object' || typeof spec.tag !== 'string') {
      fail('malformed node ' + JSON.stringify(spec));
    }
    const tag = spec.tag;
    const parentTag = dom.localName(parent);
    if (TEXT_ONLY.has(parentTag)) {
      fail('<' + tag + '> inside <' + parentTag + '>, which holds only text');
    }
    const namespace = enter(namespaceOf(parent), tag);
    if (!ELEMENTS[namespace].has(tag)) {
      fail('<' + tag + '> is not allowed here (' + namespace + ')');
    }
    const element = namespace === 'html'
      ? dom.createElement(document, tag)
      : dom.createElementNS(document, NS[namespace], tag);
    const attrs = Array.isArray(spec.attrs) ? spec.attrs : [];
    const forbidden = animatesForbidden(tag, attrs);
    for (const pair of attrs) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        fail('malformed attribute ' + JSON.stringify(pair));
      }
      writeAttr(element, pair[0], cleanAttribute(tag, forbidden, pair[0], pair[1]));
    }
    for (const child of Array.isArray(spec.children) ? spec.children : []) {
      dom.insertBefore(element, build(child, element), null);
    }
    return element;
  }

  function fail(message) {
    dom.setAttribute(root, 'data-motif-error', message);
    throw new Error('motif bridge: ' + message);
  }

  function applyPatch(patch) {
    if (!patch || typeof patch !== 'object' || !Array.isArray(patch.path)) {
      fail('malformed patch ' + JSON.stringify(patch));
    }
    const node = nodeAt(patch.path);
    if (!node) {
      fail('no node at ' + JSON.stringify(patch.path) + ' for ' + patch.op);
    }
    const element = () => (isElement(node) ? node : fail('no element at ' + JSON.stringify(patch.path)));
    const parent = dom.parent(node);
    switch (patch.op) {
      case 'replace':
        dom.replaceChild(parent, build(patch.node, parent), node);
        break;
      case 'text':
        if (dom.nodeType(node) !== Node.TEXT_NODE || typeof patch.text !== 'string') {
          fail('no text node at ' + JSON.stringify(patch.path));
        }
        Reflect.apply(dom.setData, node, [patch.text]);
        break;
      case 'setAttr':
        setAttr(element(), patch.name, patch.value);
        break;
      case 'removeAttr':
        removeAttr(element(), patch.name);
        break;
      case 'insert': {
        const at = element();
        dom.insertBefore(at, build(patch.node, at), dom.children(at)[patch.index] || null);
        break;
      }
      case 'remove':
        dom.removeChild(parent, node);
        break;
      case 'move': {
        // Taken out first, so `to` counts the remaining children (moves go either way).
        const at = element();
        const child = dom.children(at)[patch.from];
        if (!child) {
          fail('no child ' + patch.from + ' at ' + JSON.stringify(patch.path) + ' to move');
        }
        dom.removeChild(at, child);
        dom.insertBefore(at, child, dom.children(at)[patch.to] || null);
        break;
      }
      default:
        fail('unknown patch ' + patch.op);
    }
  }

  // ---- The theme: tokens as custom properties on the root, through the CSSOM (which the
  // CSP's ban on inline styles does not cover). The same checks as Rust's Theme::validate. ----
  const THEME_NAME = /^--sym-[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
  const THEME_REFUSED = Object.freeze(NAMES.themeRefusedText.slice());

  function themeValueAllowed(value) {
    if (typeof value !== 'string' || value.length > 256 || /[\u0000-\u001f\u007f]/.test(value)) {
      return false;
    }
    const compact = asciiLower(value).replace(/\s+/g, '');
    return compact !== '' && !THEME_REFUSED.some((text) => compact.includes(text));
  }

  function applyTheme(theme) {
    if (!theme || typeof theme !== 'object' || !theme.properties || typeof theme.properties !== 'object') {
      fail('a theme must be an object with properties');
    }
    const html = dom.documentElement(document);
    const style = dom.style(html);
    for (const name of Object.keys(theme.properties)) {
      const value = theme.properties[name];
      if (!name.startsWith(NAMES.themePropertyPrefix) || !THEME_NAME.test(name) || !themeValueAllowed(value)) {
        fail('refused theme property ' + JSON.stringify(name));
      }
    }
    for (const name of Object.keys(theme.properties)) {
      dom.setProperty(style, name, theme.properties[name]);
    }
    if (theme.colorScheme === 'light' || theme.colorScheme === 'dark') {
      dom.setProperty(style, 'color-scheme', theme.colorScheme);
    }
    if (typeof theme.kind === 'string' && /^[a-z-]+$/.test(theme.kind)) {
      dom.setAttribute(html, 'data-sym-theme', theme.kind);
    }
    const applied = Number(dom.getAttribute(root, 'data-motif-themes') || 0) + 1;
    dom.setAttribute(root, 'data-motif-themes', String(applied));
  }

  function applyReply(reply) {
    if (reply && reply.theme) {
      applyTheme(reply.theme);
    }
    applyPatches((reply && reply.patches) || []);
  }

  function applyPatches(patches) {
    if (!Array.isArray(patches)) {
      fail('patches must be a list');
    }
    for (const patch of patches) {
      applyPatch(patch);
    }
    const applied = Number(dom.getAttribute(root, 'data-motif-applied') || 0) + 1;
    dom.setAttribute(root, 'data-motif-applied', String(applied));
  }

  function send(message) {
    const body = JSON.stringify(message);
    if (config.transport === 'tauri') {
      return window.__TAURI_INTERNALS__.invoke(NAMES.eventCommand, {
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
    const bound = target && dom.closest(target, '[data-motif-on-' + type + ']');
    if (!bound || !dom.contains(root, bound)) {
      return;
    }
    if (type === 'submit' || (type === 'click' && dom.localName(bound) === 'a')) {
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
      .then(applyReply)
      .catch((error) => dom.setAttribute(root, 'data-motif-error', String(error)));
  }

  // A refused URL is inert, but following it would still unload the view (to the
  // browser's blocked page): links and forms that lead to it do nothing.
  function stayOnRefusedUrl(domEvent) {
    const target = domEvent.target instanceof Element ? domEvent.target : null;
    if (!target || !dom.contains(root, target)) {
      return;
    }
    let url = null;
    if (domEvent.type === 'click') {
      const link = dom.closest(target, 'a, area');
      url = link && (dom.getAttribute(link, 'href') ?? dom.getAttributeNS(link, XLINK, 'href'));
    } else {
      const submitter = domEvent.submitter;
      url = (submitter && dom.getAttribute(submitter, 'formaction')) ?? dom.getAttribute(target, 'action');
    }
    if (url === REFUSED_URL) {
      domEvent.preventDefault();
    }
  }

  if (config.theme) {
    try {
      applyTheme(config.theme);
    } catch (error) {
      // fail() has marked the root; the page keeps the stylesheet's defaults.
    }
  }

  for (const type of EVENTS) {
    dom.listen(document, type, onEvent, true);
  }
  dom.listen(document, 'click', stayOnRefusedUrl, true);
  dom.listen(document, 'submit', stayOnRefusedUrl, true);
  // In Tauri, the host also pushes patches (updates it started) as an event. Nothing else
  // can hand the bridge patches: no function of it is reachable from the page.
  const internals = window.__TAURI_INTERNALS__;
  if (config.transport === 'tauri' && internals) {
    const handler = internals.transformCallback((event) => {
      const payload = event && event.payload;
      if (payload && payload.motif === config.motif) {
        queue = queue
          .then(() => applyPatches(payload.patches || []))
          .catch((error) => dom.setAttribute(root, 'data-motif-error', String(error)));
      }
    });
    internals.invoke('plugin:event|listen', {
      event: NAMES.patchesEvent,
      target: { kind: 'Any' },
      handler,
    });
    const themeHandler = internals.transformCallback((event) => {
      queue = queue
        .then(() => applyTheme(event && event.payload))
        .catch((error) => dom.setAttribute(root, 'data-motif-error', String(error)));
    });
    internals.invoke('plugin:event|listen', {
      event: NAMES.themeEvent,
      target: { kind: 'Any' },
      handler: themeHandler,
    });
  }
}
