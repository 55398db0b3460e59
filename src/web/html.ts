/** Escaping for the few server-rendered pages (forms). Every interpolated value goes through `esc`. */
export const esc = (s: unknown): string =>
  String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export const page = (title: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;font-weight:600;margin-top:1rem}
input,textarea{width:100%;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:4px;box-sizing:border-box}
textarea{min-height:10rem}
button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b3261e;font-size:.95rem}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
