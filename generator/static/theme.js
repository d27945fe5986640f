// Apply the reader's chosen theme before the page paints (a file, not inline: the CSP
// allows only script-src 'self'). The toggle in glossary.js stores the choice.
(function () {
  try {
    var theme = window.localStorage.getItem("glossary-theme");
    if (theme === "light" || theme === "dark") document.documentElement.setAttribute("data-theme", theme);
  } catch (e) { /* storage refused (privacy mode): follow the system */ }
})();
