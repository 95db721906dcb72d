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

  /// Runs `body(firstPlane, planes)` over all planes, split across the pool when big.
  @inline(__always)
  static func splitPlanes(
    _ planes: Int, elements: Int, pool: WorkerPool?, _ body: (Int, Int) -> Void
  ) {
    let minimum = max(1, Parallel.minimumElementsPerPart / max(elements, 1))
    Parallel.forRanges(planes, pool: pool, minimumPerPart: minimum, body)
  }

  static func maxForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height: Int,
    width: Int, pool: WorkerPool? = nil
  ) {
    splitPlanes(planes, elements: height &* width, pool: pool) { first, count in
      forwardPlanes(
        x + first &* height &* width, y + first &* (height / 2) &* (width / 2), planes: count,
        height: height, width: width)
    }
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
        for j in 0..<ow {
          let k = 2 &* j
          row[j] = winner(top[k], top[k &+ 1], bottom[k], bottom[k &+ 1]).0
        }
      }
    }
  }

  /// dx: each g goes to its window's first maximum.
  static func maxBackward(
    _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    planes: Int, height: Int, width: Int, pool: WorkerPool? = nil
  ) {
    splitPlanes(planes, elements: height &* width, pool: pool) { first, count in
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
    dx.update(repeating: 0, count: planes &* height &* width)
    for plane in 0..<planes {
      let px = x + plane &* height &* width
      let pd = dx + plane &* height &* width
      let pg = g + plane &* oh &* ow
      for i in 0..<oh {
        let top = 2 &* i &* width
        for j in 0..<ow {
          let k = top &+ 2 &* j
          let (_, index) = winner(px[k], px[k &+ 1], px[k &+ width], px[k &+ width &+ 1])
          let offset = k &+ (index & 1) &+ (index >> 1) &* width
          pd[offset] += pg[i &* ow &+ j]
        }
      }
    }
  }
}
