// FastPool: max pooling over non-overlapping 2×2 windows without padding (the common
// `maxpool(x, 2)`), forward and backward, with the reference kernel's rule: the first maximum
// of a window wins (row by row), so results equal Kernels/Pooling.swift. Other windows use
// that reference kernel.

import NetLangTensor

enum FastPool {
  /// True when `window` is 2×2, stride 2, no padding.
  static func handles(_ window: Window2D) -> Bool {
    window.kernelHeight == 2 && window.kernelWidth == 2 && window.strideHeight == 2
      && window.strideWidth == 2 && window.paddingHeight == 0 && window.paddingWidth == 0
  }

  /// Offset (0…3 as row·W + column) of the first maximum of a, b (top row), c, d (bottom row).
  @inline(__always)
  static func winner(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> (Float, Int) {
    var best = a, index = 0
    if b > best { best = b; index = 1 }
    if c > best { best = c; index = 2 }
    if d > best { best = d; index = 3 }
    return (best, index)
  }

  static func maxForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int, pool: WorkerPool? = nil
  ) {
    Parallel.forRanges(planes, elementsEach: height &* width, pool: pool) { first, count in
      forwardPlanes(
        x + first &* height &* width, y + first &* (height / 2) &* (width / 2), planes: count,
        height: height, width: width)
    }
  }

  typealias V = SIMD8<Float>

  /// Eight windows side by side from rows `top` and `bottom` (16 values each): top-left,
  /// top-right, bottom-left, bottom-right lanes.
  @inline(__always)
  static func windows(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>)
    -> (V, V, V, V)
  {
    let t = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
    let u = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
    return (t.evenHalf, t.oddHalf, u.evenHalf, u.oddHalf)
  }

  /// [x0, y0, x1, y1, …]: three perfect unshuffles of the 16 lanes turn the index bits
  /// (half, i) into (i, half).
  @inline(__always)
  static func interleave(_ x: V, _ y: V) -> SIMD16<Float> {
    var v = SIMD16(lowHalf: x, highHalf: y)
    for _ in 0..<3 { v = SIMD16(lowHalf: v.evenHalf, highHalf: v.oddHalf) }
    return v
  }

  private static func forwardPlanes(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int
  ) {
    let oh = height / 2, ow = width / 2
    for plane in 0..<planes {
      let px = x + plane &* height &* width
      let py = y + plane &* oh &* ow
      for i in 0..<oh {
        let top = px + 2 &* i &* width
        let bottom = top + width
        let row = py + i &* ow
        var j = 0
        // Eight windows at a time, compared in the scalar order (first maximum wins).
        while j &+ 8 <= ow {
          let (a, b, c, d) = windows(top + 2 &* j, bottom + 2 &* j)
          var best = a.replacing(with: b, where: b .> a)
          best.replace(with: c, where: c .> best)
          best.replace(with: d, where: d .> best)
          UnsafeMutableRawPointer(row + j).storeBytes(of: best, as: V.self)
          j &+= 8
        }
        while j < ow {
          let k = 2 &* j
          row[j] = winner(top[k], top[k &+ 1], bottom[k], bottom[k &+ 1]).0
          j &+= 1
        }
      }
    }
  }

  /// dx: each g goes to its window's first maximum; every other position is 0 (written
  /// directly, window by window, so dx needs no clearing first).
  static func maxBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    planes: Int, height: Int, width: Int, pool: WorkerPool? = nil
  ) {
    Parallel.forRanges(planes, elementsEach: height &* width, pool: pool) { first, count in
      let offset = first &* height &* width
      backwardPlanes(
        x + offset, g + first &* (height / 2) &* (width / 2), dx + offset, planes: count,
        height: height, width: width)
    }
  }

  private static func backwardPlanes(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    planes: Int, height: Int, width: Int
  ) {
    let oh = height / 2, ow = width / 2
    for plane in 0..<planes {
      let px = x + plane &* height &* width
      let pd = dx + plane &* height &* width
      let pg = g + plane &* oh &* ow
      for i in 0..<oh {
        let top = 2 &* i &* width
        let gRow = pg + i &* ow
        var j = 0
        while j &+ 8 <= ow {
          let k = top &+ 2 &* j
          let (a, b, c, d) = windows(px + k, px + (k &+ width))
          let toB = b .> a
          var best = a.replacing(with: b, where: toB)
          let toC = c .> best
          best.replace(with: c, where: toC)
          let toD = d .> best
          let gv = UnsafeRawPointer(gRow + j).loadUnaligned(as: V.self)
          let zero = V()
          let dA = gv.replacing(with: zero, where: toB .| toC .| toD)
          let dB = gv.replacing(with: zero, where: .!toB .| toC .| toD)
          let dC = gv.replacing(with: zero, where: .!toC .| toD)
          let dD = gv.replacing(with: zero, where: .!toD)
          UnsafeMutableRawPointer(pd + k).storeBytes(of: interleave(dA, dB), as: SIMD16<Float>.self)
          UnsafeMutableRawPointer(pd + (k &+ width)).storeBytes(
            of: interleave(dC, dD), as: SIMD16<Float>.self)
          j &+= 8
        }
        while j < ow {
          let k = top &+ 2 &* j
          let (_, index) = winner(px[k], px[k &+ 1], px[k &+ width], px[k &+ width &+ 1])
          pd[k] = 0
          pd[k &+ 1] = 0
          pd[k &+ width] = 0
          pd[k &+ width &+ 1] = 0
          pd[k &+ (index & 1) &+ (index >> 1) &* width] = gRow[j]
          j &+= 1
        }
        // An odd width leaves a last column outside every window.
        if width & 1 == 1 {
          pd[top &+ width &- 1] = 0
          pd[top &+ 2 &* width &- 1] = 0
        }
      }
      // An odd height leaves a last row outside every window.
      if height & 1 == 1 { (pd + (height &- 1) &* width).update(repeating: 0, count: width) }
    }
  }
}
