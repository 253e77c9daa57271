/*
 * Knock Router: condition builder (segment edit form).
 *
 * Plain ES2020, no dependencies, no build step. Load with
 *   <script defer src="/static/js/condition-builder.js"></ script>
 *
 * Contract with the page:
 *   <div class="condition-builder" data-condition-builder
 *        data-error-path="all[1]" data-error-message="...">
 *     <textarea name="conditions" hidden>{"all": []}</textarea>
 *   </div>
 *   <script id="condition-catalog" type="application/json">{"fields": [...], ...}</ script>
 * (written "</ script" here so that this file can also be inlined in a page)
 *
 * The builder reads the tree from the textarea, renders an editor next to it and
 * writes the tree back (compact JSON) on init and after every change. The server
 * validates on save with routing.conditions.validate; this file only has to
 * produce the JSON tree. A tree the UI cannot express (unknown keys, a field
 * outside the catalog, an operator that does not fit the field) is kept verbatim
 * so that load + save never changes it.
 *
 * Public API (on window):
 *   initConditionBuilder(el)      -> instance (idempotent: a second call returns the same one)
 *   initConditionBuilders(root?)  -> instances for every [data-condition-builder] in root
 *   instance.getTree() / instance.setTree(tree) / instance.el
 * The root element emits a bubbling "condition-builder:change" CustomEvent
 * (detail: {tree}) after each change.
 */
(function () {
  "use strict";

  if (typeof window === "undefined") return;
  // Loaded twice (e.g. a swapped-in page that carries the script again): keep
  // the first copy, whose registry prevents double initialisation.
  if (typeof window.initConditionBuilders === "function") {
    autoInit(window.initConditionBuilders);
    return;
  }

  const NAMESPACE_LABELS = {
    lead: "Lead",
    company: "Company",
    session: "Session",
    attribution: "Attribution",
    intent: "Intent",
    crm: "CRM",
    signals: "Signals",
    link: "Link",
    custom: "Custom",
  };
  const TYPES = ["string", "int", "bool", "list", "email", "choice"];
  const NO_VALUE_OPS = new Set(["exists", "not_exists", "is_true", "is_false"]);
  const LIST_OPS = new Set(["in", "not_in", "domain_in"]);
  const NUMBER_OPS = new Set(["gt", "gte", "lt", "lte"]);
  const CUSTOM = "__custom__";
  const RAW_CHOICE = "\u0000raw";
  // The server's idea of a numeric string (routing.conditions._NUMERIC).
  const NUMERIC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

  const DEFAULT_LABELS = {
    eq: "is",
    neq: "is not",
    in: "is one of",
    not_in: "is not one of",
    contains: "contains",
    not_contains: "does not contain",
    starts_with: "starts with",
    ends_with: "ends with",
    gt: ">",
    gte: ">=",
    lt: "<",
    lte: "<=",
    between: "is between",
    exists: "is known",
    not_exists: "is unknown",
    is_true: "is true",
    is_false: "is false",
    matches: "matches",
    domain_in: "domain is one of",
  };
  const TEXT_OPS = ["eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with"];
  const DEFAULT_OPERATORS = {
    string: [...TEXT_OPS, "matches", "exists", "not_exists"],
    email: [...TEXT_OPS, "domain_in", "matches", "exists", "not_exists"],
    int: ["eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "exists", "not_exists"],
    bool: ["is_true", "is_false", "exists", "not_exists"],
    list: ["contains", "not_contains", "in", "not_in", "exists", "not_exists"],
    choice: ["eq", "neq", "in", "not_in", "exists", "not_exists"],
  };
  const DEFAULT_OPEN_PREFIXES = [
    ["custom.", "Custom field"],
    ["crm.fields.", "CRM field"],
  ];

  const ICONS = {
    plus: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"><path d="M8 3.5v9M3.5 8h9"/></svg>',
    group: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.5"><rect x="2.5" y="2.5" width="11" height="11" rx="2.5"/><path d="M5.5 6.5h5M5.5 9.5h3" stroke-linecap="round"/></svg>',
    x: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"><path d="M4.5 4.5l7 7M11.5 4.5l-7 7"/></svg>',
    trash: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"><path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5"/></svg>',
    code: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M6 4L2.5 8 6 12M10 4l3.5 4-3.5 4"/></svg>',
    alert: '<svg viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"><circle cx="8" cy="8" r="6.2"/><path d="M8 4.8v3.6M8 10.9v.1"/></svg>',
  };

  const registry = new WeakMap();
  let instanceCount = 0;

  // ------------------------------------------------------------------ helpers

  function isObject(x) {
    return x !== null && typeof x === "object" && !Array.isArray(x);
  }

  /** The number a string spells, or the string itself (the server reports it). */
  function numberish(x) {
    if (typeof x !== "string") return x;
    const s = x.trim();
    if (s.length && s.length <= 64 && NUMERIC.test(s)) {
      const n = Number(s);
      if (Number.isFinite(n)) return n;
    }
    return x;
  }

  function isNumberText(text) {
    return typeof numberish(text) === "number";
  }

  function display(v) {
    if (v === undefined || v === null) return "";
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return JSON.stringify(v);
  }

  function childPath(path, step) {
    return path ? `${path}.${step}` : step;
  }

  /** h("div", {class: "x", "aria-label": "y"}, child, "text", ...) */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "value") el.value = v;
        else if (k === "checked") el.checked = Boolean(v);
        else if (k === "hidden") el.hidden = Boolean(v);
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function icon(name) {
    const span = document.createElement("span");
    span.className = "cb-icon";
    span.setAttribute("aria-hidden", "true");
    span.innerHTML = ICONS[name]; // static markup only
    return span;
  }

  // ------------------------------------------------------------------ catalog

  function loadCatalog(el) {
    const doc = el.ownerDocument || document;
    const id = el.getAttribute("data-catalog") || "condition-catalog";
    const script = doc.getElementById(id);
    let data = {};
    if (script) {
      try {
        data = JSON.parse(script.textContent || "{}") || {};
      } catch (err) {
        console.error("condition-builder: the #" + id + " catalog is not valid JSON", err);
      }
    }
    const fields = (Array.isArray(data.fields) ? data.fields : [])
      .filter((f) => isObject(f) && typeof f.path === "string" && f.path)
      .map((f) => ({
        path: f.path,
        label: typeof f.label === "string" && f.label ? f.label : f.path,
        type: TYPES.includes(f.type) ? f.type : "string",
        choices: Array.isArray(f.choices) ? f.choices.map(String) : [],
        help: typeof f.help === "string" ? f.help : "",
      }));
    const labels = Object.assign({}, DEFAULT_LABELS);
    const operators = {};
    const source = isObject(data.operators) ? data.operators : null;
    for (const type of TYPES) {
      const list = source && Array.isArray(source[type]) ? source[type] : null;
      if (list) {
        operators[type] = [];
        for (const item of list) {
          const op = Array.isArray(item) ? item[0] : item;
          if (typeof op !== "string") continue;
          const label = Array.isArray(item) && typeof item[1] === "string" ? item[1] : labels[op] || op;
          labels[op] = label;
          operators[type].push(op);
        }
      } else {
        operators[type] = DEFAULT_OPERATORS[type].slice();
      }
    }
    const openPrefixes = (Array.isArray(data.open_prefixes) ? data.open_prefixes : DEFAULT_OPEN_PREFIXES)
      .map((p) => (Array.isArray(p) ? p : [p, p]))
      .filter((p) => typeof p[0] === "string" && p[0]);
    return { fields, byPath: new Map(fields.map((f) => [f.path, f])), operators, labels, openPrefixes };
  }

  // ------------------------------------------------------------------ builder

  class ConditionBuilder {
    constructor(el) {
      this.el = el;
      this.uid = ++instanceCount;
      this.nextId = 1;
      this.mode = "builder";
      this.catalog = loadCatalog(el);
      this.textarea = el.querySelector('textarea[name="conditions"]') || el.querySelector("textarea");
      if (!this.textarea) {
        this.textarea = h("textarea", { name: "conditions", hidden: true });
        el.prepend(this.textarea);
      }
      el.classList.add("cb-root");
      // A stale copy of the UI (e.g. restored from htmx's history cache) is dropped.
      for (const stale of el.querySelectorAll(":scope > .cb-ui")) stale.remove();
      this.buildShell();
      this.fieldSelectTemplate = this.buildFieldSelect();

      const text = this.textarea.value.trim();
      let tree = { all: [] };
      let parseError = null;
      if (text) {
        try {
          tree = JSON.parse(text);
        } catch (err) {
          parseError = err;
        }
      }
      const errorPath = el.getAttribute("data-error-path");
      const errorMessage = el.getAttribute("data-error-message");
      // The server's list repeats what the builder shows beside the node (or the JSON box):
      // each error is shown once, so the list hides when the builder places it.
      const serverList = el.parentElement && el.parentElement.querySelector(":scope > .errorlist");
      if (parseError) {
        // Keep what the user submitted, untouched, in the JSON view.
        this.root = this.parseRoot({ all: [] });
        this.enterJsonMode(this.textarea.value);
        this.showJsonError(errorMessage || `Not valid JSON: ${parseError.message}`);
        if (serverList) serverList.hidden = true;
        return;
      }
      this.root = this.parseRoot(tree);
      if (errorMessage || errorPath !== null) {
        this.applyServerError(errorPath, errorMessage || "Invalid condition");
        if (errorMessage && serverList) serverList.hidden = true;
      }
      this.render();
      this.sync();
    }

    // ---- public
    getTree() {
      return this.rootJSON();
    }

    setTree(tree) {
      this.root = this.parseRoot(tree);
      if (this.mode === "json") this.leaveJsonMode();
      this.render();
      this.sync();
    }

    // ---- model: parse / serialise
    parseNode(json) {
      let nots = 0;
      let node = json;
      while (isObject(node) && Object.keys(node).length === 1 && Object.prototype.hasOwnProperty.call(node, "not")) {
        nots += 1;
        node = node.not;
      }
      let m = null;
      if (isObject(node)) {
        const keys = Object.keys(node);
        if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any") && Array.isArray(node[keys[0]])) {
          m = { type: "group", op: keys[0], children: node[keys[0]].map((c) => this.parseNode(c)) };
        } else if (
          keys.every((k) => k === "field" || k === "op" || k === "value") &&
          typeof node.field === "string" &&
          typeof node.op === "string"
        ) {
          m = {
            type: "leaf",
            field: node.field,
            op: node.op,
            value: Object.prototype.hasOwnProperty.call(node, "value") ? node.value : undefined,
            custom: node.field !== "" && !this.catalog.byPath.has(node.field),
          };
        }
      }
      if (!m) m = { type: "raw", raw: node };
      m.id = this.nextId++;
      m.nots = nots;
      m.error = null;
      return m;
    }

    parseRoot(json) {
      const node = this.parseNode(json);
      if (node.type === "group") return node;
      // A bare leaf (or anything else) at the root: shown inside an implicit
      // "all" group, and written back bare until the user changes the root.
      return { type: "group", op: "all", children: [node], nots: 0, id: this.nextId++, error: null, bare: true };
    }

    newLeaf() {
      return { type: "leaf", id: this.nextId++, field: "", op: "eq", value: "", custom: false, nots: 0, error: null };
    }

    newGroup(parentOp) {
      return {
        type: "group",
        id: this.nextId++,
        op: parentOp === "all" ? "any" : "all",
        children: [this.newLeaf()],
        nots: 0,
        error: null,
      };
    }

    toJSON(node) {
      let out;
      if (node.type === "leaf") {
        out = { field: node.field, op: node.op };
        if (node.value !== undefined) out.value = node.value;
      } else if (node.type === "group") {
        out = { [node.op]: node.children.map((c) => this.toJSON(c)) };
      } else {
        out = node.raw;
      }
      for (let i = 0; i < node.nots; i++) out = { not: out };
      return out;
    }

    isBare() {
      const r = this.root;
      return Boolean(r.bare) && r.op === "all" && r.nots === 0 && r.children.length === 1;
    }

    rootJSON() {
      return this.isBare() ? this.toJSON(this.root.children[0]) : this.toJSON(this.root);
    }

    countLeaves(node) {
      if (node.type === "group") return node.children.reduce((n, c) => n + this.countLeaves(c), 0);
      return 1;
    }

    // ---- server errors
    /** The server's paths of a node listed at `outer`: the node and each of its `not` wrappers. */
    nodePaths(node, outer) {
      const paths = [outer];
      let p = outer;
      for (let i = 0; i < node.nots; i++) {
        p = childPath(p, "not");
        paths.push(p);
      }
      return { paths, inner: p };
    }

    findByPath(target) {
      const visit = (node, outer) => {
        const { paths, inner } = this.nodePaths(node, outer);
        if (paths.includes(target)) return node;
        if (node.type !== "group") return null;
        for (let i = 0; i < node.children.length; i++) {
          const hit = visit(node.children[i], childPath(inner, `${node.op}[${i}]`));
          if (hit) return hit;
        }
        return null;
      };
      if (this.isBare()) return visit(this.root.children[0], "");
      return visit(this.root, "");
    }

    applyServerError(path, message) {
      const node = path === null ? null : this.findByPath(path);
      if (node) node.error = message;
      else this.showGeneralError(message);
    }

    showGeneralError(message) {
      this.alert.hidden = !message;
      this.alert.replaceChildren();
      if (message) this.alert.append(icon("alert"), h("span", { text: message }));
    }

    clearError(node) {
      if (!node.error) return;
      node.error = null;
      const el = this.tree.querySelector(`[data-cb-id="${node.id}"]`);
      if (el) {
        el.classList.remove("cb-error");
        el.removeAttribute("aria-invalid");
        for (const msg of el.querySelectorAll(":scope > .cb-error-msg, :scope > .cb-group-head > .cb-error-msg")) msg.remove();
      }
    }

    // ---- catalog lookups
    fieldInfo(path) {
      return this.catalog.byPath.get(path) || null;
    }

    fieldType(path) {
      const info = this.fieldInfo(path);
      return info ? info.type : "string";
    }

    /** [[op, label], ...] offered for a field (mirrors routing.catalog.operators_for). */
    operatorsFor(path) {
      const type = this.fieldType(path);
      const ops = (this.catalog.operators[type] || this.catalog.operators.string).slice();
      if (type === "string" && path.endsWith("domain") && !ops.includes("domain_in")) {
        const at = ops.indexOf("exists");
        ops.splice(at === -1 ? ops.length : at, 0, "domain_in");
      }
      return ops.map((op) => [op, this.catalog.labels[op] || op]);
    }

    valueKind(leaf) {
      const op = leaf.op;
      if (NO_VALUE_OPS.has(op)) return "none";
      if (LIST_OPS.has(op)) return "list";
      if (op === "between") return "range";
      if (NUMBER_OPS.has(op)) return "number";
      const info = this.fieldInfo(leaf.field);
      if (op === "eq" || op === "neq") {
        if (info && info.type === "int") return "number";
        if (info && info.type === "choice" && info.choices.length) return "choice";
      }
      return "text";
    }

    numericList(leaf) {
      return this.fieldType(leaf.field) === "int" && (leaf.op === "in" || leaf.op === "not_in");
    }

    listItem(leaf, x) {
      if (this.numericList(leaf)) return typeof x === "string" ? numberish(x.trim()) : x;
      if (typeof x === "number" || typeof x === "boolean") return String(x);
      return typeof x === "string" ? x.trim() : x;
    }

    /** Fit a leaf's value to its (new) field and operator after the user changed one. */
    adaptValue(leaf) {
      const kind = this.valueKind(leaf);
      const v = leaf.value;
      const first = Array.isArray(v) ? v[0] : v;
      leaf.chips = undefined;
      leaf.pending = "";
      if (kind === "none") {
        leaf.value = undefined;
      } else if (kind === "list") {
        const items = Array.isArray(v) ? v : v === undefined || v === null || v === "" ? [] : [v];
        leaf.value = items.map((x) => this.listItem(leaf, x)).filter((x) => x !== "");
      } else if (kind === "range") {
        const items = Array.isArray(v) ? v.slice(0, 2) : v === undefined || v === null ? [] : [v];
        while (items.length < 2) items.push("");
        leaf.value = items.map((x) => numberish(typeof x === "string" ? x : display(x)));
      } else if (kind === "number") {
        leaf.value = first === undefined || first === null ? "" : numberish(display(first));
      } else if (kind === "choice") {
        const choices = this.fieldInfo(leaf.field).choices;
        leaf.value = choices.includes(first) ? first : choices[0];
      } else {
        leaf.value = display(first);
      }
    }

    // ---- shell
    buildShell() {
      this.alert = h("div", { class: "cb-alert", role: "alert", hidden: true });
      this.summary = h("span", { class: "cb-summary" });
      this.toggle = h(
        "button",
        {
          type: "button",
          class: "cb-btn cb-btn-ghost cb-json-toggle",
          "aria-pressed": "false",
          onclick: () => this.toggleJson(),
        },
        icon("code"),
        h("span", { text: "Edit as JSON" })
      );
      this.tree = h("div", { class: "cb-tree" });
      this.jsonInput = h("textarea", {
        class: "cb-json-input",
        "aria-label": "Conditions JSON",
        spellcheck: "false",
        autocomplete: "off",
        rows: "14",
        oninput: () => this.onJsonInput(),
      });
      this.jsonError = h("div", { class: "cb-json-error cb-error-msg", role: "alert", hidden: true });
      this.jsonPanel = h(
        "div",
        { class: "cb-json", hidden: true },
        this.jsonInput,
        this.jsonError,
        h("p", { class: "cb-json-hint", text: "Edit the tree directly, then switch back to the builder." })
      );
      this.ui = h(
        "div",
        { class: "cb-ui" },
        h("div", { class: "cb-bar" }, this.summary, this.toggle),
        this.alert,
        this.tree,
        this.jsonPanel
      );
      this.el.append(this.ui);
    }

    buildFieldSelect() {
      const select = h("select", { class: "cb-select cb-field", "aria-label": "Field" });
      select.append(h("option", { value: "", disabled: true, text: "Choose a field…" }));
      const groups = new Map();
      for (const f of this.catalog.fields) {
        const ns = f.path.split(".")[0];
        if (!groups.has(ns)) groups.set(ns, []);
        groups.get(ns).push(f);
      }
      if (!groups.has("custom")) groups.set("custom", []);
      // "Custom" always comes last: it ends with the free-form "Custom field…" entry.
      const order = [...groups.keys()].filter((ns) => ns !== "custom").concat(["custom"]);
      for (const ns of order) {
        const label = NAMESPACE_LABELS[ns] || ns.charAt(0).toUpperCase() + ns.slice(1);
        const og = h("optgroup", { label });
        for (const f of groups.get(ns)) og.append(h("option", { value: f.path, text: f.label, title: f.help || f.path }));
        if (ns === "custom") og.append(h("option", { value: CUSTOM, text: "Custom field…" }));
        select.append(og);
      }
      return select;
    }

    // ---- rendering
    render(focusKey) {
      const active = this.el.ownerDocument.activeElement;
      const key = focusKey || (active && this.tree.contains(active) ? active.getAttribute("data-cb-key") : null);
      this.tree.replaceChildren(this.renderGroup(this.root, "", null));
      this.updateSummary();
      if (key) {
        const target = this.tree.querySelector(`[data-cb-key="${key}"]`);
        if (target) target.focus();
      }
    }

    updateSummary() {
      if (this.mode === "json") {
        this.summary.textContent = "Editing as JSON";
        return;
      }
      const n = this.countLeaves(this.root);
      this.summary.textContent = n === 0 ? "No conditions" : n === 1 ? "1 condition" : `${n} conditions`;
    }

    key(node, role) {
      return `${node.id}:${role}`;
    }

    notToggle(node, label, onchange) {
      const negated = node.nots % 2 === 1;
      return h(
        "label",
        { class: "cb-not", title: node.nots > 1 ? `Wrapped in ${node.nots} NOTs` : "Negate: match when this is NOT true" },
        h("input", {
          type: "checkbox",
          "aria-label": label,
          checked: negated,
          "data-cb-key": this.key(node, "not"),
          onchange,
        }),
        h("span", { text: "NOT" })
      );
    }

    errorMessage(node) {
      return h("div", { class: "cb-error-msg", role: "alert" }, icon("alert"), h("span", { text: node.error }));
    }

    emptyHint(group, isRoot) {
      let matches = group.op === "all";
      if (group.nots % 2 === 1) matches = !matches;
      if (isRoot) return matches ? "No conditions: every lead matches" : "No conditions: no lead matches";
      return matches ? "Empty group: always matches" : "Empty group: never matches";
    }

    renderGroup(g, outer, parent) {
      const isRoot = parent === null;
      const { inner } = this.nodePaths(g, outer);
      const bare = isRoot && this.isBare();
      const el = h("div", {
        class: ["cb-group", isRoot ? "cb-root-group" : "", g.nots % 2 ? "cb-negated" : "", g.error ? "cb-error" : ""]
          .filter(Boolean)
          .join(" "),
        role: "group",
        "aria-label": isRoot ? "Conditions" : "Condition group",
        "aria-invalid": g.error ? "true" : null,
        "data-cb-path": outer,
        "data-cb-id": g.id,
      });

      const match = h(
        "select",
        {
          class: "cb-select cb-match",
          "aria-label": "Match",
          "data-cb-key": this.key(g, "match"),
          onchange: (e) => {
            g.op = e.target.value;
            g.bare = false;
            this.clearError(g);
            this.render();
            this.sync();
          },
        },
        h("option", { value: "all", text: "all" }),
        h("option", { value: "any", text: "any" })
      );
      match.value = g.op;
      const head = h(
        "div",
        { class: "cb-group-head" },
        this.notToggle(g, "Negate group", (e) => {
          g.nots = e.target.checked ? 1 : 0;
          g.bare = false;
          this.clearError(g);
          this.render();
          this.sync();
        }),
        h("span", { class: "cb-text", text: "Match" }),
        match,
        h("span", { class: "cb-text", text: "of the following" }),
        h("span", { class: "cb-spacer" })
      );
      if (!isRoot) {
        head.append(
          h(
            "button",
            {
              type: "button",
              class: "cb-icon-btn cb-remove cb-remove-group",
              "aria-label": "Remove group",
              title: "Remove group",
              "data-cb-key": this.key(g, "remove"),
              onclick: () => this.removeNode(parent, g),
            },
            icon("trash")
          )
        );
      }
      if (g.error) head.append(this.errorMessage(g));
      el.append(head);

      const list = h("div", { class: "cb-children" });
      if (g.children.length === 0) {
        list.append(h("p", { class: "cb-empty", text: this.emptyHint(g, isRoot) }));
      }
      g.children.forEach((child, i) => {
        const path = bare ? "" : childPath(inner, `${g.op}[${i}]`);
        const conj = i === 0 ? "Where" : g.op === "all" ? "and" : "or";
        list.append(
          h(
            "div",
            { class: "cb-item" },
            h("span", { class: "cb-conj", text: conj }),
            this.renderNode(child, path, g)
          )
        );
      });
      el.append(list);

      el.append(
        h(
          "div",
          { class: "cb-group-actions" },
          h(
            "button",
            {
              type: "button",
              class: "cb-btn cb-btn-add cb-add-condition",
              "data-cb-key": this.key(g, "add"),
              onclick: () => {
                const leaf = this.newLeaf();
                g.children.push(leaf);
                g.bare = false;
                this.render(this.key(leaf, "field"));
                this.sync();
              },
            },
            icon("plus"),
            h("span", { text: "Add condition" })
          ),
          h(
            "button",
            {
              type: "button",
              class: "cb-btn cb-btn-add cb-add-group",
              "data-cb-key": this.key(g, "addgroup"),
              onclick: () => {
                const group = this.newGroup(g.op);
                g.children.push(group);
                g.bare = false;
                this.render(this.key(group.children[0], "field"));
                this.sync();
              },
            },
            icon("group"),
            h("span", { text: "Add group" })
          )
        )
      );
      return el;
    }

    renderNode(node, outer, parent) {
      if (node.type === "group") return this.renderGroup(node, outer, parent);
      if (node.type === "leaf") return this.renderLeaf(node, outer, parent);
      return this.renderRaw(node, outer, parent);
    }

    rowShell(node, outer, extraClass) {
      return h("div", {
        class: ["cb-condition", extraClass, node.nots % 2 ? "cb-negated" : "", node.error ? "cb-error" : ""]
          .filter(Boolean)
          .join(" "),
        "aria-invalid": node.error ? "true" : null,
        "data-cb-path": outer,
        "data-cb-id": node.id,
      });
    }

    removeButton(parent, node) {
      return h(
        "button",
        {
          type: "button",
          class: "cb-icon-btn cb-remove",
          "aria-label": "Remove condition",
          title: "Remove condition",
          "data-cb-key": this.key(node, "remove"),
          onclick: () => this.removeNode(parent, node),
        },
        icon("x")
      );
    }

    removeNode(parent, node) {
      const i = parent.children.indexOf(node);
      if (i !== -1) parent.children.splice(i, 1);
      parent.bare = false;
      this.render(this.key(parent, "add"));
      this.sync();
    }

    splitCustom(field) {
      for (const [prefix] of this.catalog.openPrefixes) {
        if (field.startsWith(prefix)) return [prefix, field.slice(prefix.length)];
      }
      return ["", field];
    }

    renderLeaf(leaf, outer, parent) {
      const row = this.rowShell(leaf, outer, leaf.custom ? "cb-leaf cb-is-custom" : "cb-leaf");
      row.append(
        this.notToggle(leaf, "Negate condition", (e) => {
          leaf.nots = e.target.checked ? 1 : 0;
          this.clearError(leaf);
          e.target.closest(".cb-condition").classList.toggle("cb-negated", e.target.checked);
          this.sync();
        })
      );

      const field = this.fieldSelectTemplate.cloneNode(true);
      field.setAttribute("data-cb-key", this.key(leaf, "field"));
      field.value = leaf.custom ? CUSTOM : leaf.field;
      if (!leaf.custom && leaf.field && field.value !== leaf.field) field.value = CUSTOM; // safety net
      field.addEventListener("change", () => this.onFieldChange(leaf, field.value));
      const info = this.fieldInfo(leaf.field);
      if (info && info.help) field.title = info.help;
      row.append(field);

      if (leaf.custom) row.append(this.renderCustomField(leaf));

      const op = h("select", {
        class: "cb-select cb-op",
        "aria-label": "Operator",
        "data-cb-key": this.key(leaf, "op"),
      });
      this.fillOperators(op, leaf);
      op.addEventListener("change", () => {
        leaf.op = op.value;
        this.adaptValue(leaf);
        this.clearError(leaf);
        this.render();
        this.sync();
      });
      row.append(op);

      const value = this.renderValue(leaf);
      if (value) row.append(value);
      row.append(this.removeButton(parent, leaf));
      if (leaf.error) row.append(this.errorMessage(leaf));
      return row;
    }

    fillOperators(select, leaf) {
      const ops = this.operatorsFor(leaf.field);
      if (!ops.some(([op]) => op === leaf.op)) ops.push([leaf.op, this.catalog.labels[leaf.op] || leaf.op || "(no operator)"]);
      select.replaceChildren(...ops.map(([op, label]) => h("option", { value: op, text: label })));
      select.value = leaf.op;
    }

    renderCustomField(leaf) {
      const [prefix, name] = this.splitCustom(leaf.field);
      const prefixSelect = h("select", {
        class: "cb-select cb-prefix",
        "aria-label": "Custom field prefix",
        "data-cb-key": this.key(leaf, "prefix"),
      });
      for (const [p, label] of this.catalog.openPrefixes) prefixSelect.append(h("option", { value: p, text: p, title: label }));
      prefixSelect.append(h("option", { value: "", text: "path", title: "Any field path, e.g. company.sic_code" }));
      prefixSelect.value = prefix;
      const nameInput = h("input", {
        type: "text",
        class: "cb-input cb-custom-name",
        "aria-label": "Custom field name",
        placeholder: prefix ? "field name" : "namespace.field",
        autocomplete: "off",
        spellcheck: "false",
        value: name,
        "data-cb-key": this.key(leaf, "cname"),
      });
      const update = (rerender) => {
        const before = this.operatorsFor(leaf.field).map((o) => o[0]).join();
        leaf.field = prefixSelect.value + nameInput.value;
        this.clearError(leaf);
        const after = this.operatorsFor(leaf.field).map((o) => o[0]).join();
        if (rerender) {
          this.render();
        } else if (before !== after) {
          // e.g. "custom.company_domain" gains domain_in: refresh the operator menu only.
          const row = nameInput.closest(".cb-condition");
          const op = row && row.querySelector(".cb-op");
          if (op) this.fillOperators(op, leaf);
        }
        this.sync();
      };
      prefixSelect.addEventListener("change", () => update(true));
      nameInput.addEventListener("input", () => update(false));
      return h("span", { class: "cb-custom" }, prefixSelect, nameInput);
    }

    onFieldChange(leaf, value) {
      if (value === CUSTOM) {
        if (!leaf.custom) {
          leaf.custom = true;
          leaf.field = this.catalog.openPrefixes.length ? this.catalog.openPrefixes[0][0] : "";
        }
      } else {
        leaf.custom = false;
        leaf.field = value;
      }
      const ops = this.operatorsFor(leaf.field).map((o) => o[0]);
      if (!ops.includes(leaf.op)) leaf.op = ops[0];
      this.adaptValue(leaf);
      this.clearError(leaf);
      this.render(value === CUSTOM ? this.key(leaf, "cname") : undefined);
      this.sync();
    }

    renderValue(leaf) {
      const kind = this.valueKind(leaf);
      const set = (v, input) => {
        leaf.value = v;
        this.clearError(leaf);
        if (input) this.markNumber(input);
        this.sync();
      };
      if (kind === "none") return null;
      if (kind === "text") {
        const input = h("input", {
          type: "text",
          class: "cb-input cb-value",
          "aria-label": "Value",
          placeholder: leaf.op === "matches" ? "regular expression" : "value",
          autocomplete: "off",
          value: display(leaf.value),
          "data-cb-key": this.key(leaf, "value"),
        });
        if (leaf.op === "matches") input.classList.add("cb-mono");
        input.addEventListener("input", () => set(input.value));
        return input;
      }
      if (kind === "number") {
        const input = this.numberInput(leaf, "Value", "value", display(leaf.value));
        input.classList.add("cb-value");
        input.addEventListener("input", () => set(numberish(input.value), input));
        return input;
      }
      if (kind === "choice") {
        const choices = this.fieldInfo(leaf.field).choices;
        const select = h("select", { class: "cb-select cb-value", "aria-label": "Value", "data-cb-key": this.key(leaf, "value") });
        for (const c of choices) select.append(h("option", { value: c, text: c }));
        const original = leaf.value;
        if (typeof original === "string" && choices.includes(original)) {
          select.value = original;
        } else {
          select.append(h("option", { value: RAW_CHOICE, text: display(original) || "(empty)" }));
          select.value = RAW_CHOICE;
        }
        select.addEventListener("change", () => set(select.value === RAW_CHOICE ? original : select.value));
        return select;
      }
      if (kind === "range") {
        const v = leaf.value;
        const lo = this.numberInput(leaf, "From", "from", display(Array.isArray(v) ? v[0] : v));
        const hi = this.numberInput(leaf, "To", "to", Array.isArray(v) ? display(v[1]) : "");
        const update = (input) => set([numberish(lo.value), numberish(hi.value)], input);
        lo.addEventListener("input", () => update(lo));
        hi.addEventListener("input", () => update(hi));
        return h("span", { class: "cb-range cb-value" }, lo, h("span", { class: "cb-text", text: "and" }), hi);
      }
      return this.renderChips(leaf);
    }

    numberInput(leaf, label, role, text) {
      const input = h("input", {
        type: "text",
        inputmode: "decimal",
        class: "cb-input cb-number",
        "aria-label": label,
        placeholder: role === "to" ? "max" : role === "from" ? "min" : "number",
        autocomplete: "off",
        value: text,
        "data-cb-key": this.key(leaf, role),
      });
      this.markNumber(input);
      return input;
    }

    markNumber(input) {
      if (!input || !input.classList.contains("cb-number")) return;
      const bad = input.value.trim() !== "" && !isNumberText(input.value);
      input.classList.toggle("cb-invalid", bad);
      if (bad) {
        input.setAttribute("aria-invalid", "true");
        input.title = "Not a number";
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("title");
      }
    }

    // ---- list values as chips
    renderChips(leaf) {
      if (!Array.isArray(leaf.chips)) {
        const v = leaf.value;
        leaf.chips = Array.isArray(v) ? v.slice() : v === undefined || v === null || v === "" ? [] : [v];
        leaf.pending = "";
      }
      const info = this.fieldInfo(leaf.field);
      const box = h("div", { class: "cb-chips cb-value" });
      const input = h("input", {
        type: "text",
        class: "cb-chips-input",
        "aria-label": "Values",
        autocomplete: "off",
        value: leaf.pending || "",
        "data-cb-key": this.key(leaf, "values"),
      });
      if (info && info.choices.length && leaf.op !== "domain_in") {
        const id = `cb${this.uid}-choices-${leaf.id}`;
        input.setAttribute("list", id);
        box.append(h("datalist", { id }, info.choices.map((c) => h("option", { value: c }))));
      }
      const drawChips = () => {
        for (const chip of box.querySelectorAll(".cb-chip")) chip.remove();
        leaf.chips.forEach((item, i) => {
          const text = display(item);
          box.insertBefore(
            h(
              "span",
              { class: "cb-chip" },
              h("span", { class: "cb-chip-text", text: text === "" ? '""' : text }),
              h(
                "button",
                {
                  type: "button",
                  class: "cb-chip-remove",
                  "aria-label": `Remove ${text}`,
                  tabindex: "-1",
                  onmousedown: (e) => e.preventDefault(), // keep focus (and pending text) in the input
                  onclick: (e) => {
                    e.stopPropagation();
                    leaf.chips.splice(i, 1);
                    drawChips();
                    update();
                    input.focus();
                  },
                },
                icon("x")
              )
            ),
            input
          );
        });
        input.placeholder = leaf.chips.length
          ? ""
          : leaf.op === "domain_in"
            ? "acme.com, example.org"
            : "Type values, separated by commas";
      };
      const pendingItems = () =>
        (leaf.pending || "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => this.listItem(leaf, s));
      const update = () => {
        leaf.value = leaf.chips.concat(pendingItems());
        this.clearError(leaf);
        this.sync();
      };
      const commit = (text) => {
        let added = false;
        for (const part of text.split(",")) {
          const s = part.trim();
          if (!s) continue;
          const item = this.listItem(leaf, s);
          if (!leaf.chips.some((c) => c === item)) leaf.chips.push(item);
          added = true;
        }
        return added;
      };
      input.addEventListener("input", () => {
        if (input.value.includes(",")) {
          const parts = input.value.split(",");
          const rest = parts.pop();
          commit(parts.join(","));
          input.value = rest.replace(/^\s+/, "");
          drawChips();
        }
        leaf.pending = input.value;
        update();
      });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault(); // never submit the form from here
          if (commit(input.value)) {
            input.value = "";
            leaf.pending = "";
            drawChips();
            update();
          }
        } else if (e.key === "Backspace" && input.value === "" && leaf.chips.length) {
          leaf.chips.pop();
          drawChips();
          update();
        }
      });
      input.addEventListener("blur", () => {
        if (commit(input.value)) {
          input.value = "";
          leaf.pending = "";
          drawChips();
          update();
        }
      });
      box.addEventListener("click", (e) => {
        if (e.target === box) input.focus();
      });
      box.append(input);
      drawChips();
      return box;
    }

    renderRaw(node, outer, parent) {
      const row = this.rowShell(node, outer, "cb-raw");
      row.append(
        this.notToggle(node, "Negate condition", (e) => {
          node.nots = e.target.checked ? 1 : 0;
          this.clearError(node);
          row.classList.toggle("cb-negated", e.target.checked);
          this.sync();
        })
      );
      row.append(h("span", { class: "cb-raw-label", title: "This condition cannot be shown in the builder; edit its JSON here.", text: "JSON" }));
      const input = h("input", {
        type: "text",
        class: "cb-input cb-raw-input cb-mono",
        "aria-label": "Raw condition JSON",
        spellcheck: "false",
        autocomplete: "off",
        value: node.raw === undefined ? "" : JSON.stringify(node.raw),
        "data-cb-key": this.key(node, "raw"),
      });
      input.addEventListener("input", () => {
        try {
          node.raw = JSON.parse(input.value);
          input.classList.remove("cb-invalid");
          input.removeAttribute("aria-invalid");
        } catch (_err) {
          node.raw = input.value; // kept as text: the server names this node in its error
          input.classList.add("cb-invalid");
          input.setAttribute("aria-invalid", "true");
        }
        this.clearError(node);
        this.sync();
      });
      // Switching back to the builder re-parses: a fixed node becomes a normal row.
      input.addEventListener("change", () => {
        if (input.classList.contains("cb-invalid")) return;
        const replacement = this.parseNode(this.toJSON(node));
        if (replacement.type === "raw") return;
        const i = parent.children.indexOf(node);
        if (i !== -1) parent.children[i] = replacement;
        this.render();
        this.sync();
      });
      row.append(input, this.removeButton(parent, node));
      if (node.error) row.append(this.errorMessage(node));
      return row;
    }

    // ---- JSON view
    toggleJson() {
      if (this.mode === "json") this.leaveJsonMode(true);
      else this.enterJsonMode(JSON.stringify(this.rootJSON(), null, 2));
    }

    enterJsonMode(text) {
      this.mode = "json";
      this.jsonInput.value = text;
      this.jsonError.hidden = true;
      this.jsonPanel.hidden = false;
      this.tree.hidden = true;
      this.toggle.setAttribute("aria-pressed", "true");
      this.updateSummary();
      if (this.el.ownerDocument.activeElement === this.toggle) this.jsonInput.focus();
    }

    /** Back to the builder; with `check`, refuse (and say why) when the JSON is not a tree. */
    leaveJsonMode(check) {
      if (check) {
        const text = this.jsonInput.value.trim();
        let tree;
        try {
          tree = text ? JSON.parse(text) : { all: [] };
        } catch (err) {
          this.showJsonError(`Not valid JSON: ${err.message}`);
          this.jsonInput.focus();
          return false;
        }
        if (!isObject(tree)) {
          this.showJsonError('The conditions must be a JSON object, e.g. {"all": []}.');
          this.jsonInput.focus();
          return false;
        }
        this.root = this.parseRoot(tree);
        this.showGeneralError("");
      }
      this.mode = "builder";
      this.jsonPanel.hidden = true;
      this.jsonError.hidden = true;
      this.tree.hidden = false;
      this.toggle.setAttribute("aria-pressed", "false");
      if (check) {
        this.render();
        this.sync();
      }
      return true;
    }

    showJsonError(message) {
      this.jsonError.replaceChildren(icon("alert"), h("span", { text: message }));
      this.jsonError.hidden = false;
      this.jsonInput.classList.add("cb-invalid");
      this.jsonInput.setAttribute("aria-invalid", "true");
    }

    onJsonInput() {
      const text = this.jsonInput.value;
      let ok = true;
      try {
        const tree = text.trim() ? JSON.parse(text) : { all: [] };
        this.textarea.value = JSON.stringify(tree);
      } catch (_err) {
        ok = false;
        // What the user sees is what gets posted: the server reports the error.
        this.textarea.value = text;
      }
      if (ok) {
        this.jsonError.hidden = true;
        this.jsonInput.classList.remove("cb-invalid");
        this.jsonInput.removeAttribute("aria-invalid");
      }
      this.emit();
    }

    // ---- output
    sync() {
      if (this.mode === "json") return;
      this.textarea.value = JSON.stringify(this.rootJSON());
      this.updateSummary();
      this.emit();
    }

    emit() {
      let tree = null;
      try {
        tree = JSON.parse(this.textarea.value);
      } catch (_err) {
        tree = null;
      }
      this.el.dispatchEvent(new CustomEvent("condition-builder:change", { bubbles: true, detail: { tree } }));
    }
  }

  // ------------------------------------------------------------------ public API

  function initConditionBuilder(el) {
    if (!el || el.nodeType !== 1) return null;
    const existing = registry.get(el);
    if (existing) return existing;
    const instance = new ConditionBuilder(el);
    registry.set(el, instance);
    return instance;
  }

  function initConditionBuilders(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const els = Array.from(scope.querySelectorAll("[data-condition-builder]"));
    if (scope.matches && scope.matches("[data-condition-builder]")) els.unshift(scope);
    return els.map(initConditionBuilder);
  }

  window.initConditionBuilder = initConditionBuilder;
  window.initConditionBuilders = initConditionBuilders;

  autoInit(initConditionBuilders);
  // Content swapped in by htmx (no dependency on htmx: just its event name).
  document.addEventListener("htmx:load", (e) => initConditionBuilders(e.target));

  function autoInit(initAll) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => initAll(document), { once: true });
    } else {
      initAll(document);
    }
  }
})();
