/// A tiny classic-BPF assembler with symbolic, forward-only labels.
///
/// Conditional jumps in classic BPF reach at most 255 instructions ahead. The assembler lays the program out
/// assuming every conditional jump is short, then rewrites each one whose target is too far into
/// `jcond jt 0 jf 1; ja <true>; ja <false>` (`BPF_JA` takes a 32-bit offset), and repeats until nothing else
/// needs widening — widening only moves targets further, so this terminates.
struct BPFAssembler {
    /// A position in the program, bound by `bind(_:)`.
    struct Label: Hashable {
        fileprivate let id: Int
    }

    enum Condition {
        case eq, gt, ge

        var code: UInt16 {
            switch self {
            case .eq: BPF.jeqK
            case .gt: BPF.jgtK
            case .ge: BPF.jgeK
            }
        }
    }

    private enum Item {
        case plain(BPFInstruction)
        case jump(Condition, UInt32, Label, Label)
        case goto(Label)
        case bind(Label)
    }

    private var items: [Item] = []
    private var labelCount = 0

    mutating func label() -> Label {
        labelCount += 1
        return Label(id: labelCount - 1)
    }

    mutating func bind(_ label: Label) { items.append(.bind(label)) }
    mutating func load(_ offset: UInt32) { items.append(.plain(.load(offset))) }
    mutating func and(_ mask: UInt32) { items.append(.plain(.and(mask))) }
    mutating func ret(_ value: UInt32) { items.append(.plain(.ret(value))) }
    mutating func goto(_ target: Label) { items.append(.goto(target)) }
    /// `if A <condition> k goto onTrue else goto onFalse`.
    mutating func jump(_ condition: Condition, _ k: UInt32, _ onTrue: Label, _ onFalse: Label) {
        items.append(.jump(condition, k, onTrue, onFalse))
    }

    /// Resolves labels and widens far jumps. Labels must be bound after every jump to them (BPF only jumps
    /// forward); breaking that is a compiler bug, reported by a precondition.
    func assemble() -> [BPFInstruction] {
        var wide = [Bool](repeating: false, count: items.count)
        var positions: [Int] = []
        var labels: [Int] = []
        while true {
            (positions, labels) = layout(wide: wide)
            var changed = false
            for (index, item) in items.enumerated() {
                guard case .jump(_, _, let onTrue, let onFalse) = item, !wide[index] else { continue }
                let next = positions[index] + 1
                if labels[onTrue.id] - next > 255 || labels[onFalse.id] - next > 255 {
                    wide[index] = true
                    changed = true
                }
            }
            if !changed { break }
        }
        var program: [BPFInstruction] = []
        for (index, item) in items.enumerated() {
            let position = positions[index]
            switch item {
            case .plain(let instruction):
                program.append(instruction)
            case .bind:
                break
            case .goto(let target):
                program.append(.ja(offset(from: position + 1, to: labels[target.id])))
            case .jump(let condition, let k, let onTrue, let onFalse):
                if wide[index] {
                    program.append(BPFInstruction(code: condition.code, jt: 0, jf: 1, k: k))
                    program.append(.ja(offset(from: position + 2, to: labels[onTrue.id])))
                    program.append(.ja(offset(from: position + 3, to: labels[onFalse.id])))
                } else {
                    let jt = UInt8(offset(from: position + 1, to: labels[onTrue.id]))
                    let jf = UInt8(offset(from: position + 1, to: labels[onFalse.id]))
                    program.append(BPFInstruction(code: condition.code, jt: jt, jf: jf, k: k))
                }
            }
        }
        return program
    }

    private func layout(wide: [Bool]) -> (positions: [Int], labels: [Int]) {
        var positions = [Int](repeating: 0, count: items.count)
        var labels = [Int](repeating: -1, count: labelCount)
        var position = 0
        for (index, item) in items.enumerated() {
            positions[index] = position
            switch item {
            case .bind(let label): labels[label.id] = position
            case .plain, .goto: position += 1
            case .jump: position += wide[index] ? 3 : 1
            }
        }
        return (positions, labels)
    }

    private func offset(from next: Int, to target: Int) -> UInt32 {
        precondition(target >= next, "seccomp compiler bug: backward or unbound jump (\(next) → \(target))")
        return UInt32(target - next)
    }
}
