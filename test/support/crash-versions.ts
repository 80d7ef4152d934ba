// The versions the crash test's writer saves: each one's name, first line and long body all
// carry its number, so a provider made of two versions is easy to see.
export function crashVersion(n: number): { name: string; code: string } {
  const letter = String.fromCharCode(97 + (n % 26))
  return {
    name: `Crashy ${n}`,
    code: `-- version ${n}\n--[[${letter.repeat(1_500_000)}]]\nx = ${n}\n`,
  }
}
