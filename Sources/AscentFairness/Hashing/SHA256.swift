/// SHA-256 (FIPS 180-4) in pure Swift, so that anyone can check a round without trusting a C library.
///
/// Written for speed on the two hot paths of the fairness code (walking a chain of 32-byte seeds and
/// HMACs of 32-byte messages): it reads blocks straight from the caller's buffer, keeps the message
/// schedule and the padding block in one stack allocation, and unrolls the rounds eight at a time so
/// the working variables never move.
public enum SHA256 {
    /// The digest of `message`.
    public static func hash(_ message: UnsafeRawBufferPointer) -> Bytes32 {
        var state = State.initial
        return state.finish(processedByteCount: 0, message: message)
    }

    /// The digest of `message`.
    public static func hash(_ message: some Sequence<UInt8>) -> Bytes32 {
        if let digest = message.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(message).withUnsafeBytes { hash($0) }
    }

    /// The digest of the UTF-8 bytes of `text`.
    public static func hash(utf8 text: String) -> Bytes32 {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of the 32 raw bytes of `value`: one link of a binary seed chain.
    public static func hash(_ value: Bytes32) -> Bytes32 {
        value.withUnsafeBytes { hash($0) }
    }

    /// The eight chaining words between blocks; `finish` pads and produces the digest.
    struct State {
        var h0, h1, h2, h3, h4, h5, h6, h7: UInt32

        static let initial = State(
            h0: 0x6a09e667, h1: 0xbb67ae85, h2: 0x3c6ef372, h3: 0xa54ff53a,
            h4: 0x510e527f, h5: 0x9b05688c, h6: 0x1f83d9ab, h7: 0x5be0cd19)

        /// Absorbs `message` after `processedByteCount` bytes (a multiple of 64) already absorbed,
        /// pads, and returns the digest. Used by HMAC to continue from a precomputed key block.
        mutating func finish(processedByteCount: UInt64, message: UnsafeRawBufferPointer) -> Bytes32 {
            let fullBlocks = message.count / 64
            let tailCount = message.count - fullBlocks * 64
            let bitLength = (processedByteCount &+ UInt64(message.count)) &* 8
            withUnsafeTemporaryAllocation(byteCount: 64 * 4 + 128, alignment: 16) { scratch in
                let schedule = scratch.baseAddress!.bindMemory(to: UInt32.self, capacity: 64)
                let padding = scratch.baseAddress! + 64 * 4
                roundConstants.withUnsafeBufferPointer { constants in
                    let k = constants.baseAddress!
                    if let base = message.baseAddress {
                        for block in 0..<fullBlocks { compress(base + block * 64, schedule, k) }
                    }
                    // The tail, the 0x80 marker, zeros and the 64-bit length fill one or two blocks.
                    let paddedCount = tailCount < 56 ? 64 : 128
                    padding.initializeMemory(as: UInt8.self, repeating: 0, count: paddedCount)
                    if tailCount > 0 {
                        padding.copyMemory(from: message.baseAddress! + fullBlocks * 64, byteCount: tailCount)
                    }
                    padding.storeBytes(of: 0x80, toByteOffset: tailCount, as: UInt8.self)
                    padding.storeBytes(of: bitLength.bigEndian, toByteOffset: paddedCount - 8, as: UInt64.self)
                    compress(UnsafeRawPointer(padding), schedule, k)
                    if paddedCount == 128 { compress(UnsafeRawPointer(padding + 64), schedule, k) }
                }
            }
            return digest
        }

        /// The state written big-endian: the digest when the message is finished.
        var digest: Bytes32 {
            var result = Bytes32.zero
            Swift.withUnsafeMutableBytes(of: &result.storage) { bytes in
                // Word by word: an array literal here would allocate on every hash.
                bytes.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
                bytes.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
                bytes.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
                bytes.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
                bytes.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
                bytes.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
                bytes.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
                bytes.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
            }
            return result
        }

        /// Processes one 64-byte block at `block` (any alignment) using `w` (64 words) as scratch.
        @inline(__always)
        mutating func compress(_ block: UnsafeRawPointer, _ w: UnsafeMutablePointer<UInt32>,
                               _ k: UnsafePointer<UInt32>) {
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let sigma0 = rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3)
                let sigma1 = rotr(y, 17) ^ rotr(y, 19) ^ (y &>> 10)
                w[t] = w[t - 16] &+ sigma0 &+ w[t - 7] &+ sigma1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            var t = 0
            while t < 64 {
                // Each call writes the new `e` into the old `d` and the new `a` into the old `h`;
                // renaming the arguments instead of shuffling eight variables is the unrolling.
                step(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                step(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                step(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                step(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                step(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                step(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                step(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                step(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                t += 8
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
            h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
    }

    @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 - n)) }

    @inline(__always)
    static func step(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                     _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ kw
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
        d &+= t1
        h = t1 &+ t2
    }

    static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
