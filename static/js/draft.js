// The assessment form on a weak connection. Answers are kept on the phone (localStorage,
// keyed by user, actor and period) as they are typed and restored after a reload; a result
// that cannot be sent stays there and goes out when the connection returns. Progressive
// enhancement only: without this file the form posts as usual.
(function () {
  "use strict";
  var PREFIX = "sinergi-draft:";
  var MAX_AGE = 7 * 24 * 3600 * 1000; // drafts hold income figures: none lives beyond a week
  var store = storage();
  var form = null;
  var current = ""; // the key the draft is kept under
  var sending = false;

  function storage() {
    try {
      window.localStorage.setItem(PREFIX + "probe", "1");
      window.localStorage.removeItem(PREFIX + "probe");
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage disabled: the form works as before
    }
  }

  function byId(id) { return document.getElementById(id); }
  function show(id, visible) { var el = byId(id); if (el) { el.hidden = !visible; } }

  function values() {
    var out = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") { (out[name] = out[name] || []).push(String(value)); }
    });
    return out;
  }

  function keyFor(period) { return form.dataset.draft + ":" + period; }
  function periodNow() { return form.elements.period ? form.elements.period.value : ""; }

  function read(key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && draft.values && Date.now() - draft.saved < MAX_AGE) { return draft; }
    } catch (error) { /* a damaged entry is dropped below */ }
    store.removeItem(key);
    return null;
  }

  function save(pending) {
    var key = keyFor(periodNow());
    if (current && current !== key) { store.removeItem(current); } // the period was changed
    current = key;
    try {
      store.setItem(key, JSON.stringify({ saved: Date.now(), pending: pending, values: values() }));
    } catch (error) { /* storage full: the form itself still holds the answers */ }
  }

  function sweep() {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { read(key); }
    }
  }

  // The draft for the period shown, else one for another period of the same actor.
  function find() {
    var draft = read(keyFor(periodNow()));
    if (draft) { return draft; }
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(form.dataset.draft + ":") === 0) { return read(key); }
    }
    return null;
  }

  function restore(given) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      var chosen = given[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = chosen.indexOf(el.value) !== -1;
      } else if (el.name in given) {
        el.value = chosen[0] || "";
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true })); // the live score follows
  }

  function waiting() {
    sending = false;
    save(true);
    show("draft-sending", false);
    show("draft-offline", true);
    byId("save-assessment").disabled = false;
    byId("draft-offline").scrollIntoView({ block: "center" });
  }

  // Another page in place of this one, as if the browser had loaded it.
  function showPage(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    if (url !== window.location.href) {
      window.history.pushState(null, "", url);
      window.addEventListener("popstate", function () { window.location.reload(); });
    }
    if (window.htmx) { window.htmx.process(document.body); }
    window.scrollTo(0, 0);
    start();
  }

  // The login rotates the CSRF token: a draft kept across a new login carries a stale one.
  function freshToken() {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var token = page.querySelector("input[name=csrfmiddlewaretoken]");
        if (token) { form.elements.csrfmiddlewaretoken.value = token.value; }
      });
  }

  function post() {
    return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  }

  function send() {
    if (sending) { return; }
    sending = true;
    save(true);
    show("draft-offline", false);
    show("draft-sending", true);
    byId("save-assessment").disabled = true;
    post()
      .then(function (response) {
        return response.status === 403 ? freshToken().then(post) : response;
      })
      .then(function (response) {
        return response.text().then(function (html) { landed(response, html); });
      })
      .catch(waiting);
  }

  function landed(response, html) {
    sending = false;
    var path = new URL(response.url).pathname;
    var login = response.redirected && path === form.dataset.login;
    if (login) {
      // The session ended while she was away: the draft waits for her to log in again.
      var note = byId("draft-login").cloneNode(true);
      showPage(html, response.url);
      note.hidden = false;
      document.querySelector("main").prepend(note);
      return;
    }
    if (response.ok && response.redirected) {
      store.removeItem(current); // accepted: the result page follows
    } else {
      save(false); // refused or failed: her answers stay, with the server's reasons
    }
    showPage(html, response.url);
  }

  function start() {
    form = byId("assessment-form");
    if (!form || !form.dataset.draft || !store || !window.fetch) { return; }
    current = "";
    sweep();
    var draft = find();
    if (draft) {
      if (JSON.stringify(draft.values) !== JSON.stringify(values())) {
        restore(draft.values);
        show("draft-restored", true);
      }
      current = keyFor(periodNow());
      if (draft.pending) {
        show("draft-offline", true);
        if (navigator.onLine) { send(); }
      }
    }
    form.addEventListener("input", function () { save(false); });
    form.addEventListener("change", function () { save(false); });
    form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
    byId("draft-retry").addEventListener("click", send);
    byId("draft-discard").addEventListener("click", function () {
      store.removeItem(current);
      window.location.assign(window.location.href);
    });
  }

  window.addEventListener("online", function () {
    var draft = form && form.isConnected && current ? read(current) : null;
    if (draft && draft.pending) { send(); }
  });
  document.addEventListener("DOMContentLoaded", start);
}());
