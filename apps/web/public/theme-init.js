// Applies the remembered theme before the first paint (no flash of the wrong theme). A file, not an
// inline script, because the server's Content-Security-Policy allows only script-src 'self'.
try {
  const theme = localStorage.getItem("theme");
  if (theme === "light" || theme === "dark") {
    document.documentElement.setAttribute("data-theme", theme);
  }
} catch {
  // Storage unavailable: follow the system theme.
}
