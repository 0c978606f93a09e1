//! Applying patches to a [`DomNode`] tree: what the bridge does to the DOM, for a
//! host-side renderer (and to check the diff against).

use super::{DomNode, Patch};

/// An element's attributes, as [`DomNode::Element`] holds them.
type Attrs = Vec<(String, String)>;

/// A patch that does not fit the tree it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// The path leads nowhere.
    #[error("patch {patch}: no node at path {path:?}")]
    NoNode {
        /// Index of the patch in its list.
        patch: usize,
        /// The path.
        path: Vec<usize>,
    },
    /// The patch needs an element (or a text node) and found the other.
    #[error("patch {patch}: the node at path {path:?} is not {expected}")]
    WrongNode {
        /// Index of the patch in its list.
        patch: usize,
        /// The path.
        path: Vec<usize>,
        /// What the patch needs.
        expected: &'static str,
    },
    /// A child index past the end of the children.
    #[error("patch {patch}: child index {index} is out of range at path {path:?}")]
    IndexOutOfRange {
        /// Index of the patch in its list.
        patch: usize,
        /// The parent's path.
        path: Vec<usize>,
        /// The index.
        index: usize,
    },
}

impl DomNode {
    /// Applies `patches` in order.
    ///
    /// # Errors
    ///
    /// The first patch that does not fit; the patches before it stay applied.
    pub fn apply(&mut self, patches: &[Patch]) -> Result<(), PatchError> {
        for (number, patch) in patches.iter().enumerate() {
            self.apply_one(number, patch)?;
        }
        Ok(())
    }

    fn apply_one(&mut self, number: usize, patch: &Patch) -> Result<(), PatchError> {
        let no_node = |path: &[usize]| PatchError::NoNode {
            patch: number,
            path: path.to_vec(),
        };
        let wrong = |path: &[usize], expected| PatchError::WrongNode {
            patch: number,
            path: path.to_vec(),
            expected,
        };
        let out_of_range = |path: &[usize], index| PatchError::IndexOutOfRange {
            patch: number,
            path: path.to_vec(),
            index,
        };
        match patch {
            Patch::Replace { path, node } => {
                *self.node_mut(path).ok_or_else(|| no_node(path))? = node.clone();
            }
            Patch::Text { path, text } => match self.node_mut(path) {
                Some(DomNode::Text(existing)) => existing.clone_from(text),
                Some(_) => return Err(wrong(path, "a text node")),
                None => return Err(no_node(path)),
            },
            Patch::SetAttr { path, name, value } => {
                let attrs = self.element_mut(number, path)?.0;
                match attrs.iter_mut().find(|(existing, _)| existing == name) {
                    Some(slot) => slot.1.clone_from(value),
                    None => attrs.push((name.clone(), value.clone())),
                }
            }
            Patch::RemoveAttr { path, name } => {
                let attrs = self.element_mut(number, path)?.0;
                attrs.retain(|(existing, _)| existing != name);
            }
            Patch::Insert { path, index, node } => {
                let children = self.element_mut(number, path)?.1;
                if *index > children.len() {
                    return Err(out_of_range(path, *index));
                }
                children.insert(*index, node.clone());
            }
            Patch::Remove { path } => {
                let (index, parent) = path.split_last().ok_or_else(|| wrong(path, "a child"))?;
                let children = self.element_mut(number, parent)?.1;
                if *index >= children.len() {
                    return Err(out_of_range(parent, *index));
                }
                children.remove(*index);
            }
            Patch::Move { path, from, to } => {
                let children = self.element_mut(number, path)?.1;
                if *from >= children.len() {
                    return Err(out_of_range(path, *from));
                }
                let moved = children.remove(*from);
                if *to > children.len() {
                    children.insert(*from, moved);
                    return Err(out_of_range(path, *to));
                }
                children.insert(*to, moved);
            }
        }
        Ok(())
    }

    fn node_mut(&mut self, path: &[usize]) -> Option<&mut DomNode> {
        let mut node = self;
        for &index in path {
            match node {
                DomNode::Element { children, .. } => node = children.get_mut(index)?,
                DomNode::Text(_) => return None,
            }
        }
        Some(node)
    }

    /// The element at `path`, as its attributes and children; a text node or no node there is
    /// the error patch `number` reports.
    fn element_mut(
        &mut self,
        number: usize,
        path: &[usize],
    ) -> Result<(&mut Attrs, &mut Vec<DomNode>), PatchError> {
        match self.node_mut(path) {
            Some(DomNode::Element {
                attrs, children, ..
            }) => Ok((attrs, children)),
            Some(DomNode::Text(_)) => Err(PatchError::WrongNode {
                patch: number,
                path: path.to_vec(),
                expected: "an element",
            }),
            None => Err(PatchError::NoNode {
                patch: number,
                path: path.to_vec(),
            }),
        }
    }
}
