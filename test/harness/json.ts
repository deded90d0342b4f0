/** The parsed JSON, or undefined when a service answered something else (an HTML or text error page). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
