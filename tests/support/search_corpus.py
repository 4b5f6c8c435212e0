"""A small hand-made corpus whose right answers are known, shared by the search tests."""

from datetime import date

from paperwire.papers import make_paper


def paper(
    pid, title, abstract="", authors=("Dana Doe",), cats=("cs.LG",), announced=None, published=None, **kw
):
    return make_paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=list(authors),
        categories=list(cats),
        announced=announced,
        published=published,
        source="test",
        **kw,
    )


CORPUS = [
    paper("2501.00001", "Graph neural networks for molecules", "We study message passing on molecular graphs "
          "and predict properties of small molecules.", ["Alice Smith", "Bob Jones"], ["cs.LG", "q-bio.BM"],
          date(2025, 1, 6), date(2025, 1, 3)),
    paper("2501.00002", "A survey of vision transformers", "We review attention models for images, including "
          "graph-based variants.", ["Bob Jones"], ["cs.CV"], date(2025, 1, 7), date(2025, 1, 2)),
    paper("2502.00003", "Protein folding with diffusion", "A diffusion model predicts protein structures; "
          "graph neural networks encode residues.", ["Carol White"], ["q-bio.BM", "cs.LG"],
          date(2025, 2, 10), date(2024, 12, 30)),
    paper("2502.00004", "Speech recognition at scale", "We train acoustic models on many hours of audio.",
          ["Alan Turing"], ["cs.SD"], date(2025, 2, 11), date(2025, 2, 8)),
    paper("2502.00005", "Limits of computation", "We revisit Turing machines and the halting problem "
          "for modern programs and their many variants.", ["Eve Adams"], ["cs.CC"], date(2025, 2, 12)),
    paper("2502.00006", "Turing completeness of transformers", "Attention models can simulate any program.",
          ["Frank Black"], ["cs.LG"], date(2025, 2, 13)),
    paper("2503.00007", "Dogs and cats as household pets", "Owners of dogs and cats report how their pets "
          "behave at home, what they eat and how often they play.", ["Gina Green"], ["q-bio.PE"],
          date(2025, 3, 3)),
    paper("2503.00008", "Puppies learn tricks from their owners", "Young dogs imitate people who care for "
          "them and learn to fetch and sit.", ["Hank Hill"], ["q-bio.PE"], date(2025, 3, 4)),
    paper("2503.00009", "Quantum error correction with surface codes", "Logical qubits are protected by "
          "stabilizer measurements on a lattice.", ["Ivy Ito"], ["quant-ph"], date(2025, 3, 5)),
    paper("2503.00010", "Protein folding with diffusion models and more", "Protein folding with diffusion "
          "is studied again: protein folding, diffusion, protein folding.", ["Jon Jay"], ["q-bio.BM"],
          date(2025, 3, 6)),
    paper("2503.00011", "Identical twin paper", "A paper whose text is the same as another one.",
          ["Kim Kay"], ["cs.DL"], date(2025, 3, 7)),
    paper("2503.00012", "Identical twin paper", "A paper whose text is the same as another one.",
          ["Kim Kay"], ["cs.DL"], date(2025, 3, 7)),
]  # fmt: skip
