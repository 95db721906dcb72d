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
    Parallel.forRanges(planes, elementsEach: height &* width, multiple: 1, pool: pool) {
      first, count in
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
        // Eight (or four) windows at a time, compared in the scalar order (first maximum
        // wins); a last block that overlaps the one before instead of scalar windows.
        var j = 0
        if ow >= 8 {
          while j &+ 8 <= ow {
            forward8(top + 2 &* j, bottom + 2 &* j, row + j)
            j &+= 8
          }
          if j < ow { forward8(top + 2 &* (ow &- 8), bottom + 2 &* (ow &- 8), row + (ow &- 8)) }
          j = ow
        } else if ow >= 4 {
          forward4(top, bottom, row)
          forward4(top + 2 &* (ow &- 4), bottom + 2 &* (ow &- 4), row + (ow &- 4))
          j = ow
        }
        while j < ow {
          let k = 2 &* j
          row[j] = winner(top[k], top[k &+ 1], bottom[k], bottom[k &+ 1]).0
          j &+= 1
        }
      }
    }
  }

  /// The maxima of eight windows from rows `top` and `bottom` into `out`.
  @inline(__always)
  private static func forward8(
    _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
  ) {
    let (a, b, c, d) = windows(top, bottom)
    var best = a.replacing(with: b, where: b .> a)
    best.replace(with: c, where: c .> best)
    best.replace(with: d, where: d .> best)
    UnsafeMutableRawPointer(out).storeBytes(of: best, as: V.self)
  }

  /// `forward8` for four windows.
  @inline(__always)
  private static func forward4(
    _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
  ) {
    let t = UnsafeRawPointer(top).loadUnaligned(as: V.self)
    let u = UnsafeRawPointer(bottom).loadUnaligned(as: V.self)
    let (a, b, c, d) = (t.evenHalf, t.oddHalf, u.evenHalf, u.oddHalf)
    var best = a.replacing(with: b, where: b .> a)
    best.replace(with: c, where: c .> best)
    best.replace(with: d, where: d .> best)
    UnsafeMutableRawPointer(out).storeBytes(of: best, as: SIMD4<Float>.self)
  }

  /// dx: each g goes to its window's first maximum; every other position is 0 (written
  /// directly, window by window, so dx needs no clearing first).
  static func maxBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    planes: Int, height: Int, width: Int, pool: WorkerPool? = nil
  ) {
    Parallel.forRanges(planes, elementsEach: height &* width, multiple: 1, pool: pool) {
      first, count in
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
        // As forward: blocks of eight (or four) windows, the last overlapping the one before
        // (it writes the same values again).
        var j = 0
        if ow >= 8 {
          while j &+ 8 <= ow {
            backward8(px + (top &+ 2 &* j), gRow + j, pd + (top &+ 2 &* j), width: width)
            j &+= 8
          }
          if j < ow {
            let k = top &+ 2 &* (ow &- 8)
            backward8(px + k, gRow + (ow &- 8), pd + k, width: width)
          }
          j = ow
        } else if ow >= 4 {
          backward4(px + top, gRow, pd + top, width: width)
          let k = top &+ 2 &* (ow &- 4)
          backward4(px + k, gRow + (ow &- 4), pd + k, width: width)
          j = ow
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

  /// dx of eight windows whose top-left corners are `x` (rows `width` apart), from their
  /// gradients `g`: each gradient to its window's first maximum, zeros elsewhere.
  @inline(__always)
  private static func backward8(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    width: Int
  ) {
    let (a, b, c, d) = windows(x, x + width)
    let (dA, dB, dC, dD) = route(UnsafeRawPointer(g).loadUnaligned(as: V.self), a, b, c, d)
    UnsafeMutableRawPointer(dx).storeBytes(of: interleave(dA, dB), as: SIMD16<Float>.self)
    UnsafeMutableRawPointer(dx + width).storeBytes(of: interleave(dC, dD), as: SIMD16<Float>.self)
  }

  /// `backward8` for four windows.
  @inline(__always)
  private static func backward4(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    width: Int
  ) {
    typealias W = SIMD4<Float>
    let t = UnsafeRawPointer(x).loadUnaligned(as: V.self)
    let u = UnsafeRawPointer(x + width).loadUnaligned(as: V.self)
    // Four lanes widened to eight (the upper half unused): the same compare code.
    func wide(_ x: W) -> V { V(lowHalf: x, highHalf: W()) }
    let gv = wide(UnsafeRawPointer(g).loadUnaligned(as: W.self))
    let (dA, dB, dC, dD) = route(
      gv, wide(t.evenHalf), wide(t.oddHalf), wide(u.evenHalf), wide(u.oddHalf))
    // [x0, y0, x1, y1, …]: two perfect unshuffles of the 8 lanes.
    func interleave4(_ x: W, _ y: W) -> V {
      var v = V(lowHalf: x, highHalf: y)
      for _ in 0..<2 { v = V(lowHalf: v.evenHalf, highHalf: v.oddHalf) }
      return v
    }
    UnsafeMutableRawPointer(dx).storeBytes(of: interleave4(dA.lowHalf, dB.lowHalf), as: V.self)
    UnsafeMutableRawPointer(dx + width).storeBytes(
      of: interleave4(dC.lowHalf, dD.lowHalf), as: V.self)
  }

  /// Lane by lane, `g` sent to the position of the first maximum of a, b, c, d (as
  /// `winner`), zero to the other three.
  @inline(__always)
  private static func route(_ g: V, _ a: V, _ b: V, _ c: V, _ d: V) -> (V, V, V, V) {
    let toB = b .> a
    let best = a.replacing(with: b, where: toB)
    let toC = c .> best
    let toD = d .> best.replacing(with: c, where: toC)
    let zero = V()
    return (
      g.replacing(with: zero, where: toB .| toC .| toD),
      g.replacing(with: zero, where: .!toB .| toC .| toD),
      g.replacing(with: zero, where: .!toC .| toD),
      g.replacing(with: zero, where: .!toD)
    )
  }
}
