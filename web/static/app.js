// Masthead newsroom UI: progressive enhancement only. Every page works
// without this file; with it, lists reorder in place, Markdown fields get
// an editor, times show in the reader's zone, and the editor autosaves
// with the version it was based on — and shows a conflict instead of
// overwriting anyone.
(function () {
  "use strict";

  var csrf = document.body.getAttribute("data-csrf") || "";

  // htmx requests carry the session's CSRF token, like the forms do.
  document.body.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf;
  });

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ---- Times in the person's time zone. The server prints every time
  // in the zone this script reports in a cookie (else the newsroom's), so
  // a page shows one clock; only when the page was printed for another
  // zone (the first page, or after travelling) are its times redrawn here.
  var zone = "UTC";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { /* keep UTC */ }
  // IANA names are letters, digits, "/", "_", "+" and "-": cookie-safe.
  if (/^[A-Za-z0-9\/_+-]+$/.test(zone)) {
    document.cookie = "masthead_tz=" + zone + "; path=/admin; max-age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  var printedIn = document.body.getAttribute("data-zone") || "";
  function timeFormat(seconds) {
    try {
      var o = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
      if (seconds) { o.second = "2-digit"; }
      return new Intl.DateTimeFormat(undefined, o);
    } catch (e) { return null; }
  }
  var fmt = timeFormat(false), fmtSeconds = timeFormat(true);
  // clockNow is the time of day with seconds and the zone's name, as the
  // pages print times: the autosave status reads on the same clock.
  var fmtClock = null;
  try { fmtClock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" }); } catch (e) { fmtClock = null; }
  function clockNow() { return fmtClock ? fmtClock.format(new Date()) : new Date().toLocaleTimeString(); }
  function localTimes(root) {
    if (printedIn === zone) { return; }
    $all("time[data-local]", root).forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      var f = t.hasAttribute("data-seconds") ? fmtSeconds : fmt;
      if (!isNaN(d) && f) { t.textContent = f.format(d); t.title = t.getAttribute("datetime"); }
    });
  }
  localTimes(document);
  document.body.addEventListener("htmx:afterSettle", function (e) { localTimes(e.target); });

  $all("input[data-tz]").forEach(function (i) { i.value = zone; });
  $all("[data-tz-label]").forEach(function (l) { l.textContent = "(" + zone + ")"; });
  $all("input[type=datetime-local]").forEach(function (i) {
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    i.min = now.toISOString().slice(0, 16);
  });

  $all("[data-js-only]").forEach(function (el) { el.hidden = false; });
  $all("[data-select-on-focus]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
  $all("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // ---- Lists: add, move up, move down, remove — in place, by keyboard too.
  function changed(el) { el.dispatchEvent(new Event("change", { bubbles: true })); }

  function renumber(list) {
    var label = list.getAttribute("data-label") || "Item";
    $all("[data-item]", list).forEach(function (item, i) {
      var l = $("[data-item-label]", item);
      if (l && list.matches("fieldset")) { l.textContent = label + ", item " + (i + 1); }
      $all("[data-op]", item).forEach(function (b) {
        var v = b.value.split(":");
        if (v.length === 3) { b.value = v[0] + ":" + v[1] + ":" + i; }
        b.setAttribute("aria-label", b.textContent + " (" + label + " item " + (i + 1) + ")");
      });
      var tools = $(".item-tools[role=toolbar]", item);
      if (tools) { tools.setAttribute("aria-label", label + " item " + (i + 1)); }
    });
  }

  function blankItem(list) {
    var items = $all("[data-item]", list);
    var item = items[items.length - 1].cloneNode(true);
    var n = Date.now().toString(36);
    $all("input, select, textarea", item).forEach(function (f) {
      if (f.tagName === "SELECT") { f.selectedIndex = f.name === "role" ? f.selectedIndex : 0; } else { f.value = ""; }
      f.removeAttribute("aria-invalid");
      if (f.id) {
        var old = f.id;
        f.id = old.replace(/-[^-]+$/, "") + "-n" + n;
        var lab = $("label[for='" + old + "']", item);
        if (lab) { lab.htmlFor = f.id; }
      }
    });
    return item;
  }

  function listOp(list, item, op) {
    var parent = $("[data-item]", list).parentNode;
    var focusOp = op;
    if (op === "up" && item.previousElementSibling) {
      parent.insertBefore(item, item.previousElementSibling);
    } else if (op === "down" && item.nextElementSibling) {
      parent.insertBefore(item.nextElementSibling, item);
    } else if (op === "remove") {
      var next = item.nextElementSibling || item.previousElementSibling;
      if ($all("[data-item]", list).length === 1) {
        $all("input, select", item).forEach(function (f) { if (f.tagName === "SELECT") { f.selectedIndex = 0; } else { f.value = ""; } });
        next = item;
      } else {
        parent.removeChild(item);
      }
      item = next;
      focusOp = null;
    } else if (op === "add") {
      var fresh = blankItem(list);
      parent.appendChild(fresh);
      item = fresh;
      focusOp = null;
    }
    renumber(list);
    changed(parent);
    if (item) {
      var target = focusOp ? $("[data-op='" + focusOp + "']", item) : $("input, select", item);
      if (target) { target.focus(); }
    }
  }

  $all("[data-list]").forEach(function (list) {
    $all(".item-tools", list).forEach(function (tools) { rovingToolbar(tools, ""); });
    renumber(list);
    $all("[data-op=add]", list).forEach(function (b) { b.hidden = false; });
    list.addEventListener("click", function (e) {
      var b = e.target.closest("[data-op]");
      if (!b || !list.contains(b)) { return; }
      e.preventDefault();
      listOp(list, b.closest("[data-item]"), b.getAttribute("data-op"));
    });
    // Enter in a list item adds the next item instead of submitting.
    list.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.target.tagName !== "INPUT" || list.getAttribute("data-list") === "credits") { return; }
      e.preventDefault();
      var item = e.target.closest("[data-item]");
      var fresh = blankItem(list);
      item.parentNode.insertBefore(fresh, item.nextElementSibling);
      renumber(list);
      $("input", fresh).focus();
    });
  });

  // ---- Credits: search as you type adds a contributor; nobody is
  // credited twice by accident.
  function creditedSlugs(list) {
    return $all("select[name=contributor]", list).map(function (s) { return s.value; }).filter(Boolean);
  }
  // Each row's picker offers only people no other row credits.
  function syncCreditPickers(list) {
    var picks = $all("select[name=contributor]", list);
    picks.forEach(function (s) {
      var others = picks.filter(function (o) { return o !== s; }).map(function (o) { return o.value; });
      $all("option", s).forEach(function (o) { o.disabled = !!o.value && o.value !== s.value && others.indexOf(o.value) >= 0; });
    });
  }
  var creditList = $("[data-list=credits]");
  if (creditList) {
    creditList.addEventListener("change", function () { syncCreditPickers(creditList); });
    syncCreditPickers(creditList);
  }
  function searchQuery() {
    var search = $("#contributor-search");
    return search ? search.value.trim().toLowerCase() : "";
  }
  // Matches of an older query cannot be clicked once the query changed:
  // they wait for the answer to what is typed now.
  var contributorSearch = $("#contributor-search");
  if (contributorSearch) {
    contributorSearch.addEventListener("input", function () {
      $all("#contributor-matches [data-add-credit]").forEach(function (b) { b.disabled = true; });
      var m = $("#contributor-matches");
      if (m) { m.setAttribute("aria-busy", "true"); }
    });
    // An answer to an older query (the list fetched on focus, a slow
    // reply) is not shown at all: what can be clicked is what was typed.
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      if (!e.detail.target || e.detail.target.id !== "contributor-matches") { return; }
      var tpl = document.createElement("template");
      tpl.innerHTML = e.detail.serverResponse || "";
      var answer = tpl.content.querySelector("[data-q]");
      if (answer && answer.getAttribute("data-q") !== searchQuery()) { e.detail.shouldSwap = false; }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target.id === "contributor-matches") { e.target.removeAttribute("aria-busy"); }
    });
  }
  document.body.addEventListener("click", function (e) {
    var b = e.target.closest("[data-add-credit]");
    if (!b) { return; }
    var list = $("[data-list=credits]");
    if (!list) { return; }
    if (b.disabled || (b.getAttribute("data-q") || "") !== searchQuery() ||
        creditedSlugs(list).indexOf(b.getAttribute("data-add-credit")) >= 0) { return; }
    var rows = $all("[data-item]", list);
    var row = rows.filter(function (r) { return !$("select[name=contributor]", r).value; })[0];
    if (!row) {
      row = blankItem(list);
      rows[rows.length - 1].parentNode.appendChild(row);
    }
    $("select[name=contributor]", row).value = b.getAttribute("data-add-credit");
    renumber(list);
    syncCreditPickers(list);
    changed($("select[name=contributor]", row));
    var status = $("#contributor-matches");
    if (status) { status.innerHTML = ""; }
    var search = $("#contributor-search");
    if (search) { search.value = ""; }
    $("select[name=role]", row).focus();
  });

  // ---- The hero picker: a search narrows the thumbnails.
  $all("[data-hero-search]").forEach(function (search) {
    var picker = search.closest(".hero-picker");
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase(), shown = 0;
      $all("[data-hero-text]", picker).forEach(function (li) {
        var hit = !q || li.getAttribute("data-hero-text").toLowerCase().indexOf(q) >= 0 || $("input", li).checked;
        li.hidden = !hit;
        if (hit) { shown++; }
      });
      $("[data-hero-none]", picker).hidden = shown > 0;
    });
    // Enter in the search does not submit the document.
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
  });

  // ---- Markdown preview: the server renders and sanitizes the text with
  // delivery's own code, so the preview shows what readers will get and
  // nothing a writer typed (a script, an event handler) runs here. The
  // newest request wins; until it answers, the last rendering stays.
  function serverPreview(text, preview) {
    var n = (preview.masthead_seq || 0) + 1;
    preview.masthead_seq = n;
    var params = new URLSearchParams();
    params.set("markdown", text);
    fetch("/admin/markdown", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: params.toString()
    }).then(function (r) { return r.ok ? r.json() : { html: "<p>The preview could not be rendered.</p>" }; })
      .then(function (j) { if (preview.masthead_seq === n) { preview.innerHTML = j.html; } })
      .catch(function () {});
    return preview.innerHTML || "<p>Rendering…</p>";
  }

  // A formatting toolbar, and a list item's Up / Down / Remove, are one
  // Tab stop each (the ARIA toolbar pattern): the arrow keys, Home and End
  // move between the buttons, so that the Tab key goes from field to
  // field. One listener serves the items a list adds later, too.
  function rovingToolbar(bar, name) {
    var buttons = $all("button", bar);
    if (!buttons.length) { return; }
    bar.setAttribute("role", "toolbar");
    if (name) { bar.setAttribute("aria-label", name); }
    buttons.forEach(function (b, i) { b.tabIndex = i === 0 ? 0 : -1; });
  }
  document.addEventListener("keydown", function (e) {
    var bar = e.target.closest && e.target.closest("[role=toolbar]");
    if (!bar) { return; }
    var buttons = $all("button", bar).filter(function (b) { return !b.hidden; });
    var i = buttons.indexOf(e.target);
    if (i < 0) { return; }
    var next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next === undefined) { return; }
    e.preventDefault();
    next = (next + buttons.length) % buttons.length;
    buttons.forEach(function (b) { b.tabIndex = -1; });
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  });
  // Whichever button of a toolbar was used last is its Tab stop.
  document.addEventListener("focusin", function (e) {
    var bar = e.target.closest && e.target.closest("[role=toolbar]");
    if (!bar || e.target.tagName !== "BUTTON") { return; }
    $all("button", bar).forEach(function (b) { b.tabIndex = b === e.target ? 0 : -1; });
  });

  // ---- Markdown fields: EasyMDE, with nothing fetched from elsewhere.
  function markdownEditors(form) {
    if (!window.EasyMDE) { return; }
    $all("textarea[data-markdown]", form).forEach(function (ta) {
      if (ta.closest("fieldset:disabled")) { return; }
      var mde = new window.EasyMDE({
        element: ta, forceSync: true, autoDownloadFontAwesome: false, spellChecker: false, status: false,
        nativeSpellcheck: true, minHeight: "160px", promptURLs: false,
        previewRender: serverPreview,
        toolbar: ["bold", "italic", "heading", "|", "quote", "unordered-list", "ordered-list", "|", "link", "|", "preview", "side-by-side", "|", "guide"]
      });
      ta.easymde = mde;
      // Tab moves to the next control, as everywhere else on the page, so
      // that keyboard users are never trapped in the editor.
      var keys = Object.assign({}, mde.codemirror.getOption("extraKeys") || {});
      keys.Tab = false;
      keys["Shift-Tab"] = false;
      mde.codemirror.setOption("extraKeys", keys);
      var input = mde.codemirror.getInputField();
      var label = $("label[for='" + ta.id + "']");
      if (label) { input.setAttribute("aria-label", label.textContent.trim()); }
      input.setAttribute("aria-describedby", ta.getAttribute("aria-describedby") || "");
      mde.codemirror.on("change", function () { changed(ta); });
      mde.codemirror.on("blur", function () { ta.dispatchEvent(new Event("focusout", { bubbles: true })); });
      if (mde.gui && mde.gui.toolbar) { rovingToolbar(mde.gui.toolbar, "Formatting" + (label ? " of " + label.textContent.trim() : "")); }
    });
  }

  // ---- The editor: autosave, conflicts, required fields.
  var editor = $("#editor");
  if (editor) { markdownEditors(editor); }
  var saveURL = editor && editor.getAttribute("data-autosave");
  // A new document: its first autosave creates the draft (issue 18).
  var createURL = editor && editor.getAttribute("data-create");
  // The edit lock's heartbeat: the lease lapses 60 s after the last one,
  // so a closed laptop lets go of the document.
  var lockURL = editor && editor.getAttribute("data-lock");
  function heartbeat() {
    if (!lockURL) { return; }
    setInterval(function () {
      fetch(lockURL, { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } });
    }, 20000);
    // Leaving the editor lets go of the lock at once; a save's own
    // reload takes it again.
    window.addEventListener("pagehide", function () {
      fetch(lockURL, { method: "DELETE", credentials: "same-origin", keepalive: true, headers: { "X-CSRF-Token": csrf } });
    });
  }
  heartbeat();
  var status = $("#save-status");
  var conflict = false;
  var saving = null;
  var refused = null; // the form as last refused: not sent again unchanged

  function serialize(form) {
    var data = new FormData(form);
    data.delete("list_op");
    data.delete("force_version");
    data.delete("keep_both");
    return new URLSearchParams(data).toString();
  }
  // text is what the writer wrote: the form without the version it is
  // based on, which a save moves; comparing with it would make every
  // save look like an unsaved change and autosave again, forever.
  function text(form) {
    var params = new URLSearchParams(serialize(form));
    params.delete("version");
    params.delete("base_revision");
    params.delete("base");
    params.delete("slug_follows");
    return params.toString();
  }
  var saved = editor ? text(editor) : "";
  function dirty() { return editor && text(editor) !== saved; }

  function say(msg, isError) {
    if (!status) { return; }
    status.textContent = msg;
    status.classList.toggle("error", !!isError);
  }

  function setHidden(name, value) {
    var i = $("input[name=" + name + "]", editor);
    if (!i) {
      i = document.createElement("input");
      i.type = "hidden"; i.name = name;
      editor.insertBefore(i, editor.firstChild);
    }
    i.value = value;
  }

  // stored takes what the server kept: the base of the next merge, the
  // slug it derived, and the address when it moved.
  var address = "";
  function stored(body) {
    if (body.base !== undefined) { setHidden("base", body.base); }
    if (body.slug_follows !== undefined) { setHidden("slug_follows", body.slug_follows ? "1" : "0"); }
    var slug = $("#f-slug", editor);
    if (slug && body.slug && body.slug_follows && document.activeElement !== slug) { slug.value = body.slug; }
    var preview = $("#slug-preview");
    if (preview && body.address) { preview.textContent = body.address; }
    var moved = body.address && address && body.address !== address ? " Address: " + body.address + "." : "";
    if (body.address) { address = body.address; }
    return moved;
  }
  var preview0 = $("#slug-preview");
  if (preview0) { address = preview0.textContent.trim(); }

  function setVersion(v, rev) {
    $all("input[name=version]").forEach(function (i) { i.value = v; });
    if (rev) { $all("input[name=base_revision]").forEach(function (i) { i.value = rev; }); }
    $all("[data-version-label]").forEach(function (l) { l.textContent = v; });
  }

  function showMissing(labels) {
    var box = $("#missing");
    if (!box) { return; }
    var ul = $("ul", box);
    ul.innerHTML = "";
    labels.forEach(function (l) { var li = document.createElement("li"); li.textContent = l; ul.appendChild(li); });
    box.hidden = labels.length === 0;
  }

  // save posts the form with the version it was based on; force is the
  // version to save over, after the writer chose to keep their text.
  function save(force, keepBoth) {
    if (!saveURL) { return createURL ? create() : Promise.resolve(true); }
    // A forced save waits for the save in flight rather than being lost
    // in it; other saves share it.
    if (saving) { return force ? saving.then(function () { return save(force); }) : saving; }
    if (!force && (conflict || !dirty())) { return Promise.resolve(!conflict); }
    var body = serialize(editor), sent = text(editor);
    if (!force && sent === refused) { return Promise.resolve(false); }
    var params = new URLSearchParams(body);
    if (force) { params.set(keepBoth ? "keep_both" : "force_version", force); }
    say("Saving…");
    saving = fetch(saveURL, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: params.toString()
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    }).then(function (res) {
      saving = null;
      refused = res.status === 200 || res.status === 412 ? null : sent;
      if (res.status === 200) {
        saved = sent;
        conflict = false;
        setVersion(res.body.version, res.body.head_revision);
        var typedSince = text(editor) !== sent;
        var moved = stored(res.body);
        if (!typedSince) { saved = text(editor); }
        $("#conflict").innerHTML = "";
        showMissing(res.body.missing || []);
        say("Saved at " + clockNow() + " (version " + res.body.version + ")." + moved);
        return true;
      }
      if (res.status === 412) {
        conflict = true;
        var box = $("#conflict");
        box.innerHTML = res.body.html || "";
        localTimes(box);
        say("Not saved: someone else saved first. Your text is kept.", true);
        var banner = $("#conflict-banner", box);
        // The banner is an alert; it takes the focus only from no one's
        // typing (a keystroke must not land on a button).
        var typing = document.activeElement && document.activeElement.closest && document.activeElement.closest("input, textarea, .CodeMirror");
        if (banner) { banner.setAttribute("tabindex", "-1"); if (!typing || force) { banner.focus(); } }
        return false;
      }
      if (res.status === 422 && res.body.errors) {
        var msgs = Object.keys(res.body.errors).map(function (k) { return (k ? k.replace("fields.", "") + ": " : "") + res.body.errors[k]; });
        say("Not saved: " + msgs.join("; "), true);
        return false;
      }
      if (res.status === 401) {
        say("Not saved: your session ended. Sign in again in another tab, then save.", true);
        return false;
      }
      say("Not saved: " + ((res.body && res.body.detail) || "the server said " + res.status), true);
      return false;
    }).catch(function () {
      saving = null;
      say("Not saved: Masthead cannot be reached. Your text is still here.", true);
      return false;
    });
    return saving;
  }

  // create makes the draft of a new document from what is typed so far,
  // then carries on as the editor of that draft.
  var creating = null;
  function create() {
    if (creating) { return creating; }
    if (!dirty()) { return Promise.resolve(true); }
    say("Saving…");
    var sent = text(editor);
    creating = fetch(createURL, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: serialize(editor)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    }).then(function (res) {
      creating = null;
      if (res.status !== 201) {
        var msgs = res.body.errors ? Object.keys(res.body.errors).map(function (k) { return (k ? k.replace("fields.", "") + ": " : "") + res.body.errors[k]; }) : [res.body.detail || "the server said " + res.status];
        say("Not saved yet: " + msgs.join("; "), true);
        return false;
      }
      var b = res.body;
      editor.action = b.edit;
      editor.setAttribute("data-autosave", b.autosave);
      editor.removeAttribute("data-create");
      saveURL = b.autosave; createURL = null;
      lockURL = b.lock;
      fetch(lockURL, { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } });
      heartbeat();
      setHidden("version", b.version);
      setHidden("base_revision", b.head_revision);
      var typedSince = text(editor) !== sent;
      stored(b);
      saved = typedSince ? sent : text(editor);
      if (window.history && history.replaceState) { history.replaceState(null, "", b.edit); }
      say("Draft saved at " + clockNow() + ". Address: " + b.address + ".");
      return true;
    }).catch(function () {
      creating = null;
      say("Not saved: Masthead cannot be reached. Your text is still here.", true);
      return false;
    });
    return creating;
  }

  // Leaving a page with unsaved input warns; the editor saves first when
  // a link of the page is followed (the revisions list is never stale).
  var forms = $all("form[method=post]").filter(function (f) { return f !== editor && !f.hasAttribute("hx-post"); });
  var initial = forms.map(function (f) { return serialize(f); });
  var submitting = false;
  document.addEventListener("submit", function () { submitting = true; }, true);
  window.addEventListener("beforeunload", function (e) {
    if (submitting) { return; }
    var unsaved = (editor && (saveURL || createURL) && dirty()) || forms.some(function (f, i) { return serialize(f) !== initial[i]; });
    if (unsaved) { e.preventDefault(); e.returnValue = ""; }
  });
  // A page left anyway (the address bar, the back button) still sends
  // what was typed since the last save: a keepalive request outlives the
  // page. The form carries its version, so it cannot overwrite anyone.
  window.addEventListener("pagehide", function () {
    if (!editor || !saveURL || saving || conflict || submitting || !dirty()) { return; }
    fetch(saveURL, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(serialize(editor)).toString()
    });
  });
  if (editor && (saveURL || createURL)) {
    document.body.addEventListener("click", function (e) {
      var a = e.target.closest("a[href]");
      if (!a || a.target || e.defaultPrevented || e.ctrlKey || e.metaKey || e.shiftKey || a.hasAttribute("data-discard") || !dirty() || conflict) { return; }
      e.preventDefault();
      say("Saving before you leave…");
      save().then(function (ok) { if (ok) { window.location.href = a.href; } });
    });
  }
  // A published document's slug is its address: changing it asks first.
  var pubSlug = editor && $("#f-slug[data-published-slug]", editor);
  if (pubSlug) {
    pubSlug.addEventListener("change", function () {
      var was = pubSlug.getAttribute("data-published-slug");
      if (pubSlug.value === was) { return; }
      if (!window.confirm("Change the address of this published document from “" + was + "” to “" + pubSlug.value + "”? Readers' links to the old address will redirect once the change is published.")) {
        pubSlug.value = was;
        changed(pubSlug);
      } else {
        pubSlug.setAttribute("data-published-slug", pubSlug.value);
      }
    });
  }

  if (createURL) {
    setInterval(function () { if (!saveURL && dirty()) { create(); } }, 4000);
    editor.addEventListener("focusout", function () { setTimeout(function () { if (!saveURL && dirty()) { create(); } }, 50); });
    editor.addEventListener("submit", function (e) {
      if (saveURL) { return; }
      if (creating) { e.preventDefault(); creating.then(function () { submitting = true; editor.submit(); }); }
    });
  }
  if (saveURL || createURL) {
    setInterval(function () { if (saveURL && dirty()) { save(); } }, 4000);
    editor.addEventListener("focusout", function () { setTimeout(function () { if (saveURL && dirty()) { save(); } }, 50); });
    editor.addEventListener("submit", function () { saved = text(editor); });
    document.body.addEventListener("click", function (e) {
      if (e.target.closest("[data-discard]")) { saved = text(editor); return; }
      var b = e.target.closest("[data-force], [data-keep-both]");
      if (!b) { return; }
      e.preventDefault();
      var v = b.value;
      if (b.hasAttribute("data-keep-both")) { v = $("[data-force]").value; }
      setVersion(v);
      save(v, b.hasAttribute("data-keep-both"));
    });
  }

  // Required fields are flagged before a submit, not after.
  function missingFields() {
    if (!editor) { return []; }
    var out = [];
    $all("[data-required]", editor).forEach(function (el) {
      var empty;
      if (el.tagName === "FIELDSET") {
        empty = $all("input", el).every(function (i) { return !i.value.trim(); });
        el.classList.toggle("invalid", empty);
      } else {
        empty = !el.value.trim();
        el.setAttribute("aria-invalid", empty ? "true" : "false");
      }
      if (empty) { out.push(el.getAttribute("data-required")); }
    });
    return out;
  }

  $all("form.action").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-action") === "submit") {
        var missing = missingFields();
        if (missing.length) {
          e.preventDefault();
          showMissing(missing);
          var box = $("#missing");
          if (box) { box.setAttribute("tabindex", "-1"); box.focus(); }
          return;
        }
      }
      if (saveURL && (dirty() || conflict)) {
        e.preventDefault();
        save().then(function (ok) { if (ok) { submitting = true; form.submit(); } });
      }
    });
  });
})();
