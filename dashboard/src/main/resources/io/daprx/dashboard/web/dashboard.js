// daprx dashboard: keeps the page live without reloading it. Every two seconds the live part of the page is fetched
// again (rendered and escaped by the server, ?part=live) and swapped in; the lookup box asks the JSON API in place.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var updated = document.getElementById('updated');
  var busy = false;

  function stamp(ok, text) {
    if (!updated) return;
    updated.textContent = text;
    updated.className = ok ? 'updated' : 'updated stale';
  }

  function refresh() {
    if (!live || busy || document.hidden) return;
    busy = true;
    var src = live.getAttribute('data-src');
    fetch(src, { headers: { 'Accept': 'text/html' }, cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        stamp(true, 'live · updated ' + new Date().toLocaleTimeString());
      })
      .catch(function (e) { stamp(false, 'not updating: ' + e.message); })
      .then(function () { busy = false; });
  }

  if (live && live.getAttribute('data-src')) {
    stamp(true, 'live');
    setInterval(refresh, 2000);
  }

  Array.prototype.forEach.call(document.querySelectorAll('select[data-autosubmit]'), function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });

  var form = document.getElementById('lookup');
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var out = document.getElementById('lookup-result');
      var q = new URLSearchParams(new FormData(form)).toString();
      out.className = 'answer';
      out.textContent = 'asking placement…';
      fetch(form.getAttribute('data-api') + '?' + q, { cache: 'no-store' })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) {
            out.className = 'problems';
            out.textContent = (res.body.error && res.body.error.message) || 'no answer';
            return;
          }
          var a = res.body;
          out.textContent = 'Actor ' + a.actorType + '/' + a.actorId + ' in ' + a.namespace + ' is owned by ' + a.host
            + ' (app ' + a.appId + '), table version ' + a.tableVersion + '.';
        })
        .catch(function (e) { out.className = 'problems'; out.textContent = 'no answer: ' + e.message; });
    });
  }
})();
