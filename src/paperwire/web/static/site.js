// Paperwire's only script: upvote, save, dismiss and mark read without a reload, and guess a new
// subscriber's time zone. Every form also works without it.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.vote");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const up = form.elements.up.value === "1";
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: up ? "POST" : "DELETE",
      headers: { "X-CSRF-Token": form.elements.csrf_token.value, "Content-Type": "application/json" },
      body: "{}",
      credentials: "same-origin",
    });
    if (!response.ok) { form.submit(); return; }  // let the server's page explain (sign-in, limits)
    const data = await response.json();
    form.elements.up.value = data.upvoted ? "0" : "1";
    button.setAttribute("aria-pressed", String(data.upvoted));
    const label = data.upvoted ? "Take back your upvote" : "Upvote";
    button.setAttribute("aria-label", label);
    button.title = label;
    button.querySelector(".count").textContent = data.upvotes.toLocaleString("en-US");  // as the page: 1,024
  } finally {
    button.disabled = false;
  }
});

// Save, not interested, read: POST sets, DELETE undoes; the answer names the new state (data-key).
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.signal");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const on = form.elements.on.value === "1";
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: on ? "POST" : "DELETE",
      headers: { "X-CSRF-Token": form.elements.csrf_token.value, "Content-Type": "application/json" },
      body: "{}",
      credentials: "same-origin",
    });
    if (!response.ok) { form.submit(); return; }  // the server's page explains (sign-in, limits)
    const state = Boolean((await response.json())[form.dataset.key]);
    form.elements.on.value = state ? "0" : "1";
    button.setAttribute("aria-pressed", String(state));
    button.textContent = state ? button.dataset.on : button.dataset.off;
    if (form.dataset.key === "not_interested") form.closest("li.paper")?.classList.toggle("dismissed", state);
  } finally {
    button.disabled = false;
  }
});

// The subscribe form starts at UTC; the browser knows better where its reader lives.
for (const input of document.querySelectorAll("input[data-guess-timezone]")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && input.value === "UTC") input.value = zone;
}

// LaTeX in titles and abstracts (elements with class "tex"): rendered by the KaTeX bundled under
// /static/site/katex/ (docs/ui.md), loaded only on pages that have some. Without it, the text stays as written.
(() => {
  const MATH = /\$[^$]+\$|\\\(|\\\[/;
  const nodes = [...document.querySelectorAll(".tex")].filter((el) => MATH.test(el.textContent));
  if (!nodes.length) return;
  const base = "/static/site/katex/";
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "katex.min.css";
  document.head.append(css);
  const load = (name) => new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = base + name;
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  load("katex.min.js").then(() => load("auto-render.min.js")).then(() => {
    for (const el of nodes) {
      window.renderMathInElement(el, {
        // Inline everywhere: a title or an abstract is running text, even where it says $$.
        delimiters: [
          { left: "$$", right: "$$", display: false },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: false },
        ],
        throwOnError: false,  // a formula KaTeX cannot parse stays as its source, in red
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "mark"],
      });
      el.classList.add("tex-rendered");
    }
  }).catch(() => {});  // the source text is still there to read
})();
