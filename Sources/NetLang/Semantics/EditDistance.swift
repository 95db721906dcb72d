// EditDistance: "did you mean 'x'?" suggestions for misspelt names, labels and settings.

/// Edit distance between two strings, by characters, ignoring case: insertions, deletions,
/// substitutions and swaps of neighbours ("bais" → "bias") each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.lowercased())
  let y = Array(b.lowercased())
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var beforePrevious = [Int](repeating: 0, count: y.count + 1)
  var previous = Array(0...y.count)
  var current = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    current[0] = i
    for j in 1...y.count {
      let cost = x[i - 1] == y[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
        current[j] = min(current[j], beforePrevious[j - 2] + 1)
      }
    }
    (beforePrevious, previous, current) = (previous, current, beforePrevious)
  }
  return previous[y.count]
}

/// The closest candidate within a distance that grows with the name's length, if any.
func suggestion(for name: String, among candidates: [String]) -> String? {
  let limit = max(1, min(3, name.count / 3))
  var best: (String, Int)?
  for candidate in candidates.sorted() where candidate != name {
    let distance = editDistance(name, candidate)
    if distance <= limit, distance < (best?.1 ?? Int.max) {
      best = (candidate, distance)
    }
  }
  return best?.0
}
