// WorkerPool: persistent threads that run the parts of a kernel. The caller runs parts too;
// parts are claimed from one atomic counter tagged with the job's generation, so a worker
// that wakes late can never take a part of a newer job.

import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

#if os(Linux)
  /// glibc's sched_getaffinity, which the Glibc module hides behind _GNU_SOURCE.
  @_silgen_name("sched_getaffinity")
  private func linuxSchedGetAffinity(
    _ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer
  ) -> Int32
#endif

/// A fixed set of threads that kernels split work across.
///
/// `run` may be called from one thread at a time. A `run` issued from inside a part (or while
/// another `run` is in flight) executes serially on the calling thread instead of deadlocking.
public final class WorkerPool: @unchecked Sendable {
  /// Number of threads work is split across (≥ 1), the caller's included.
  public let threads: Int
  private let shared: WorkerPoolState?
  private var workers: [pthread_t] = []

  /// Jobs handed to the workers so far. Each costs one small heap allocation, freed when
  /// `run` returns: `withoutActuallyEscaping` wraps the caller's closure in a context object
  /// so the workers can hold it (the allocation test counts on exactly this).
  public private(set) var handoffs = 0

  /// CPUs this process may run on (its affinity mask, so `taskset` is respected), at least 1.
  public static var availableCores: Int {
    #if os(Linux)
      var mask = [UInt64](repeating: 0, count: 16)  // 1024 CPUs, glibc's cpu_set_t
      let status = mask.withUnsafeMutableBytes { bytes -> Int32 in
        guard let base = bytes.baseAddress else { return -1 }
        return linuxSchedGetAffinity(0, bytes.count, base)
      }
      guard status == 0 else { return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
      return max(1, mask.reduce(0) { $0 + $1.nonzeroBitCount })
    #else
      return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #endif
  }

  /// The thread count commands use when none is given: every available core, at most 8 (the
  /// kernels split into parts of tens of microseconds; more threads mostly wait).
  public static var defaultThreads: Int { min(availableCores, 8) }

  /// Starts `threads - 1` worker threads (none for `threads == 1`).
  ///
  /// The workers take the subnormal mode (`Subnormals`) of the thread that creates the pool,
  /// so a kernel's parts compute alike whichever thread runs them.
  public init(threads: Int) {
    self.threads = max(1, threads)
    guard self.threads > 1 else {
      shared = nil
      return
    }
    let state = WorkerPoolState(flushesSubnormals: Subnormals.areFlushed)
    shared = state
    for _ in 1..<self.threads {
      let context = Unmanaged.passRetained(state).toOpaque()
      var thread = pthread_t()
      let status = pthread_create(
        &thread, nil,
        { raw in
          guard let raw else { return nil }
          let state = Unmanaged<WorkerPoolState>.fromOpaque(raw).takeRetainedValue()
          Subnormals.setFlushed(state.flushesSubnormals)
          state.workerLoop()
          return nil
        }, context)
      if status == 0 {
        workers.append(thread)
      } else {
        Unmanaged<WorkerPoolState>.fromOpaque(context).release()
      }
    }
  }

  deinit {
    shared?.stop()
    for thread in workers { pthread_join(thread, nil) }
  }

  /// Calls `body(part)` for every part in `0..<parts`, possibly concurrently, and returns when
  /// all are done.
  public func run(parts: Int, _ body: (Int) -> Void) {
    run(parts: parts) { part, _ in body(part) }
  }

  /// `run`, telling each part the thread it runs on: `body(part, thread)`, `thread` in
  /// `0..<threads` (0 is the caller), so parts can keep per-thread state (scratch a thread
  /// fills once and reuses for every part it claims). Parts are claimed one at a time as
  /// threads come free: with more parts than threads, a thread that started late or runs slow
  /// takes fewer.
  public func run(parts: Int, threadIndexed body: (_ part: Int, _ thread: Int) -> Void) {
    guard parts > 0 else { return }
    guard let shared, !workers.isEmpty, parts > 1, shared.enter() else {
      for part in 0..<parts { body(part, 0) }
      return
    }
    handoffs &+= 1
    withoutActuallyEscaping(body) { escapable in
      shared.dispatch(parts: parts, escapable)
    }
    shared.leave()
  }
}

/// The state the pool's threads share.
///
/// Job fields change only under `mutex`; part claims go through `cursor` = generation << 32 | next
/// part. NOTE: the job closure is only borrowed (`withoutActuallyEscaping`), so `dispatch` returns
/// only once no worker holds it (`holders`).
final class WorkerPoolState: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var job: ((Int, Int) -> Void)? = nil
  private var parts = 0
  private var generation = 0
  private var stopping = false
  /// Workers blocked in `pthread_cond_wait` (changed under `mutex`); no broadcast without them.
  private var sleepers = 0
  /// `generation` as workers may read it without the lock while they spin.
  private let published = Atomic<Int>(0)
  /// Workers currently holding a reference to `job` (incremented under `mutex`).
  private let holders = Atomic<Int>(0)
  private let cursor = Atomic<Int>(0)
  private let unfinished = Atomic<Int>(0)
  private let busy = Atomic<Bool>(false)
  /// The subnormal mode every worker sets before its first job.
  let flushesSubnormals: Bool

  init(flushesSubnormals: Bool) {
    self.flushesSubnormals = flushesSubnormals
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wakeUp, nil)
  }

  deinit {
    pthread_cond_destroy(wakeUp)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    wakeUp.deallocate()
  }

  /// Marks the pool busy; false if it already was (the caller then runs serially).
  func enter() -> Bool {
    !busy.exchange(true, ordering: .acquiring)
  }

  func leave() {
    busy.store(false, ordering: .releasing)
  }

  /// Threads started so far; each worker takes the next number as its thread index.
  private let started = Atomic<Int>(0)

  /// Publishes a job, works on it (as thread 0), and returns once every part has finished.
  func dispatch(parts: Int, _ body: @escaping (Int, Int) -> Void) {
    pthread_mutex_lock(mutex)
    generation &+= 1
    let tag = generation
    job = body
    self.parts = parts
    unfinished.store(parts, ordering: .releasing)
    cursor.store(tag << 32, ordering: .releasing)
    published.store(tag, ordering: .releasing)
    if sleepers > 0 { pthread_cond_broadcast(wakeUp) }
    pthread_mutex_unlock(mutex)

    work(tag: tag, parts: parts, thread: 0, body)
    // The other parts usually finish within microseconds: poll before giving up the core.
    pollUntil { unfinished.load(ordering: .acquiring) == 0 }
    // Retire the closure once no worker holds it (a worker that ran the last part lets go a
    // moment later: poll first), checked again under the lock so none can take it in between.
    while true {
      pollUntil { holders.load(ordering: .acquiring) == 0 }
      pthread_mutex_lock(mutex)
      if holders.load(ordering: .acquiring) == 0 {
        job = nil
        pthread_mutex_unlock(mutex)
        return
      }
      pthread_mutex_unlock(mutex)
    }
  }

  /// Polls `done` until it holds, yielding the core after `spinsBeforeYield` polls.
  @inline(__always)
  private func pollUntil(_ done: () -> Bool) {
    var spins = 0
    while !done() {
      spins &+= 1
      if spins > Self.spinsBeforeYield { sched_yield() }
    }
  }

  /// Claims and runs parts of generation `tag` until none are left.
  private func work(tag: Int, parts: Int, thread: Int, _ body: (Int, Int) -> Void) {
    while true {
      var current = cursor.load(ordering: .relaxed)
      var claimed = -1
      while current >> 32 == tag && current & 0xFFFF_FFFF < parts {
        let (exchanged, original) = cursor.compareExchange(
          expected: current, desired: current &+ 1, ordering: .acquiringAndReleasing)
        if exchanged {
          claimed = current & 0xFFFF_FFFF
          break
        }
        current = original
      }
      guard claimed >= 0 else { return }
      body(claimed, thread)
      unfinished.subtract(1, ordering: .releasing)
    }
  }

  /// A worker thread's life: wait for a new generation or `stop`, help, repeat.
  ///
  /// The wait spins first (`spinNanoseconds`): a training step hands out jobs every few tens of
  /// microseconds, and a worker that went to sleep costs each of them a futex wake-up.
  func workerLoop() {
    let thread = started.add(1, ordering: .relaxed).newValue
    var seen = 0
    while true {
      spinWhileIdle(seen: seen)
      pthread_mutex_lock(mutex)
      while generation == seen && !stopping {
        sleepers &+= 1
        pthread_cond_wait(wakeUp, mutex)
        sleepers &-= 1
      }
      if stopping { break }
      seen = generation
      guard job != nil else {
        pthread_mutex_unlock(mutex)
        continue
      }
      holders.add(1, ordering: .relaxed)
      help(tag: seen, thread: thread)
      holders.subtract(1, ordering: .releasing)
    }
    pthread_mutex_unlock(mutex)
  }

  /// Polls of the dispatcher, waiting for the other parts, before it starts yielding its core
  /// (about 100 µs: parts are balanced, so a longer wait means a worker lost its core).
  static let spinsBeforeYield = 65_536

  /// How long an idle worker polls for the next job before it blocks.
  static let spinNanoseconds: Int = {
    if let text = getenv("NETLANG_SPIN_NS"), let value = Int(String(cString: text)) { return value }
    return 200_000
  }()

  /// Polls `published` until it moves past `seen` or the spin time is over.
  private func spinWhileIdle(seen: Int) {
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    while true {
      for _ in 0..<256 where published.load(ordering: .relaxed) != seen { return }
      var now = timespec()
      clock_gettime(CLOCK_MONOTONIC, &now)
      let elapsed = (now.tv_sec - start.tv_sec) * 1_000_000_000 + (now.tv_nsec - start.tv_nsec)
      if elapsed > Self.spinNanoseconds { return }
    }
  }

  /// Takes the current job (called with `mutex` held; returns with it released) and works on it.
  ///
  /// Separate and never inlined so the closure reference is gone when it returns.
  @inline(never)
  private func help(tag: Int, thread: Int) {
    let body = job
    let count = parts
    pthread_mutex_unlock(mutex)
    if let body { work(tag: tag, parts: count, thread: thread, body) }
  }

  /// Wakes every worker and tells it to exit.
  func stop() {
    pthread_mutex_lock(mutex)
    stopping = true
    published.store(-1, ordering: .releasing)
    pthread_cond_broadcast(wakeUp)
    pthread_mutex_unlock(mutex)
  }
}
