import EmbargoStore
import Foundation

extension Workspace {
    /// Keeps the pre-push guard's list of embargoed patch ids current for a
    /// project. (Filled in by the guard implementation.)
    func refreshGuard(project: String) throws {}
}
