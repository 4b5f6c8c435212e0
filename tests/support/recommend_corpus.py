"""Papers for the recommendation tests: two liked and one disliked paper announced on 2025-04-01, and a
day's pool on 2025-04-02 (the latest day) whose right answers are plain to a reader."""

from __future__ import annotations

from datetime import date

from tests.support.search_corpus import paper

PAST, DAY = date(2025, 4, 1), date(2025, 4, 2)
LIKED = ["2504.00001", "2504.00002"]
DISLIKED = "2504.00003"

PAPERS = [
    paper("2504.00001", "Graph neural networks for molecular property prediction", "Message passing over "
          "atoms and bonds predicts the solubility and toxicity of small molecules.", cats=["cs.LG"],
          announced=PAST, published=PAST),
    paper("2504.00002", "Message passing networks on molecular graphs", "We learn representations of "
          "molecules as graphs of atoms for drug discovery.", cats=["cs.LG", "q-bio.BM"], announced=PAST,
          published=PAST),
    paper("2504.00003", "Large language models for code generation", "Transformers trained on source code "
          "complete functions and write programs from natural language.", cats=["cs.SE"], announced=PAST,
          published=PAST),
    paper("2504.00011", "Equivariant graph networks predict molecule energies", "A message passing network "
          "over atoms predicts molecular energies and forces.", cats=["cs.LG"], announced=DAY, published=DAY),
    paper("2504.00012", "Code completion with large language models", "Language models trained on "
          "repositories complete code and generate programs.", cats=["cs.SE", "cs.CL"], announced=DAY,
          published=DAY),
    paper("2504.00013", "Puppies learn tricks from their owners", "Young dogs imitate people who care for "
          "them and learn to fetch and sit.", cats=["q-bio.PE"], announced=DAY, published=DAY),
    paper("2504.00014", "Quantum error correction with surface codes", "Logical qubits are protected by "
          "stabilizer measurements on a lattice.", cats=["quant-ph"], announced=DAY, published=DAY),
    paper("2504.00015", "Graph transformers for protein-ligand binding", "Molecular graphs of ligands and "
          "protein pockets predict binding affinity for drug discovery.", cats=["q-bio.BM", "cs.LG"],
          announced=DAY, published=DAY),
    paper("2504.00016", "Speech recognition at scale", "We train acoustic models on many hours of audio.",
          cats=["cs.SD"], announced=DAY, published=DAY),
    paper("2504.00017", "Sorting in the external memory model", "Merge sort variants that minimise disk "
          "reads for data larger than memory.", cats=["cs.DS"], announced=DAY, published=DAY),
    paper("2504.00018", "Language models write programs for molecular simulation", "Code generation by "
          "large language models for chemistry software.", cats=["cs.CL"], announced=DAY, published=DAY),
]  # fmt: skip
POOL = [p.id for p in PAPERS if p.announced == DAY]
