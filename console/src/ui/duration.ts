// A wait in seconds as people read it: "—" when nothing waits, else "42 s", "3 min 5 s", "2 h 3 min", "4 d 2 h".

export function waited(seconds: number | null): string {
  if (seconds === null) return "—";
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    if (rest >= size || (name === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}
