// Hongling page behaviour (no inline scripts: the CSP forbids them).
// A confirmation is asked only of a form whose required fields are filled:
// the browser's own check comes first (reportValidity shows what is
// missing), so nobody confirms a decision that the server would refuse.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (!msg) return;
  if (form.checkValidity && !form.checkValidity()) {
    ev.preventDefault();
    if (form.reportValidity) form.reportValidity();
    return;
  }
  if (!window.confirm(msg)) {
    ev.preventDefault();
  }
}, true);

// A select whose options depend on another field (data-depends names it;
// each option's data-when the value it needs, empty for always): only the
// options that apply are offered, and a choice that no longer applies is
// cleared. The server checks the choice again.
(function () {
  var selects = document.querySelectorAll("select[data-depends]");
  for (var i = 0; i < selects.length; i++) (function (sel) {
    var form = sel.form;
    var other = form && form.elements[sel.getAttribute("data-depends")];
    if (!other) return;
    var all = [];
    for (var j = 0; j < sel.options.length; j++) {
      var o = sel.options[j];
      all.push({ value: o.value, text: o.text, when: o.getAttribute("data-when") || "" });
    }
    function apply() {
      var want = other.value;
      var current = sel.value;
      var kept = false;
      while (sel.options.length) sel.remove(0);
      for (var k = 0; k < all.length; k++) {
        var it = all[k];
        if (it.when && it.when !== want) continue;
        var opt = document.createElement("option");
        opt.value = it.value;
        opt.text = it.text;
        opt.setAttribute("data-when", it.when);
        if (it.value === current) { opt.selected = true; kept = true; }
        sel.add(opt);
      }
      if (!kept) sel.value = "";
    }
    other.addEventListener("change", apply);
    apply();
  })(selects[i]);
})();

// Pickers: type part of a name, choose a suggestion (keyboard: ↓ ↑ Enter Esc).
// The hidden field carries the chosen value (an id or a region code); text
// typed without choosing is sent as typed and the server resolves it by name.
(function () {
  function each(list, fn) { for (var i = 0; i < list.length; i++) fn(list[i], i); }

  function setup(box) {
    var source = box.getAttribute("data-source");
    var name = box.getAttribute("data-name");
    var input0 = box.querySelector("input.form-control");
    var domId = (input0 && input0.id) || name;
    var multi = box.className.indexOf("hl-picker-multi") >= 0;
    var input = box.querySelector("input.form-control");
    var hidden = multi ? null : box.querySelector("input.hl-picker-value");
    var list = box.querySelector(".hl-picker-list");
    var chips = multi ? box.querySelector(".hl-chips") : null;
    var items = [];
    var active = -1;
    var seq = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render() {
      list.innerHTML = "";
      each(items, function (it, i) {
        var li = document.createElement("li");
        li.id = domId + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.className = "hl-picker-item" + (i === active ? " active" : "");
        var label = document.createElement("span");
        label.textContent = it.label;
        li.appendChild(label);
        if (it.hint) {
          var hint = document.createElement("small");
          hint.textContent = it.hint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "hl-picker-none";
        none.textContent = "无匹配项，请换个关键词";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) input.setAttribute("aria-activedescendant", domId + "-opt-" + active);
    }

    function addChip(it) {
      var exists = false;
      each(chips.querySelectorAll("input[type=hidden]"), function (h) { if (h.value === it.value) exists = true; });
      if (exists) return;
      var chip = document.createElement("span");
      chip.className = "hl-chip";
      chip.appendChild(document.createTextNode(it.label));
      var h = document.createElement("input");
      h.type = "hidden";
      h.name = name;
      h.value = it.value;
      chip.appendChild(h);
      var x = document.createElement("button");
      x.type = "button";
      x.className = "hl-chip-x";
      x.setAttribute("aria-label", "移除 " + it.label);
      x.textContent = "×";
      chip.appendChild(x);
      chips.appendChild(chip);
    }

    function choose(i) {
      var it = items[i];
      if (!it) return;
      if (multi) {
        addChip(it);
        input.value = "";
      } else {
        hidden.value = it.value;
        input.value = it.label;
      }
      close();
    }

    function search() {
      var q = input.value.replace(/^\s+|\s+$/g, "");
      if (!q) { close(); return; }
      var my = ++seq;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", source + "?q=" + encodeURIComponent(q));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (my !== seq || xhr.status !== 200) return;
        try { items = JSON.parse(xhr.responseText); } catch (e) { items = []; }
        active = items.length ? 0 : -1;
        render();
      };
      xhr.send();
    }

    input.addEventListener("input", function () {
      if (!multi) hidden.value = input.value;
      if (timer) clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (e) {
      var key = e.key || e.keyCode;
      if (list.hidden) {
        if (key === "ArrowDown" || key === 40) { search(); e.preventDefault(); }
        return;
      }
      if (key === "ArrowDown" || key === 40) {
        active = Math.min(active + 1, items.length - 1); render(); e.preventDefault();
      } else if (key === "ArrowUp" || key === 38) {
        active = Math.max(active - 1, 0); render(); e.preventDefault();
      } else if (key === "Enter" || key === 13) {
        if (active >= 0) { choose(active); e.preventDefault(); }
      } else if (key === "Escape" || key === 27) {
        close(); e.preventDefault();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    if (multi) {
      box.addEventListener("click", function (e) {
        var t = e.target;
        if (t && t.className === "hl-chip-x" && t.parentNode) t.parentNode.parentNode.removeChild(t.parentNode);
      });
    }
  }

  each(document.querySelectorAll(".hl-picker"), setup);
})();

// Print buttons (detail pages): the print stylesheet in app.css lays the page out on A4.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("[data-print]");
  if (b) {
    ev.preventDefault();
    window.print();
  }
});
