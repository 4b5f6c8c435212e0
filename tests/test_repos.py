"""Finding a paper's code link in its abstract or comment: phrasings taken from real arXiv abstracts."""

from __future__ import annotations

import pytest

from paperwire.models.papers import Links
from paperwire.papers import make_paper
from paperwire.repos import code_link, github_repo


@pytest.mark.parametrize(
    ("text", "link"),
    [
        # 2503.18286: a sentence's full stop after the link
        ("The code is available at https://github.com/Megum1/Co-Spy.", "https://github.com/Megum1/Co-Spy"),
        # 2503.12418: LaTeX \href with the link twice
        (
            r"Code is available at \href{https://github.com/xielaobanyy/causal-imt}"
            r"{https://github.com/xielaobanyy/causal-imt}.",
            "https://github.com/xielaobanyy/causal-imt",
        ),
        # 2503.13130: \href{...}{here}
        (
            r"Code is available \href{https://github.com/qinghuannn/ChainHOI}{here}.",
            "https://github.com/qinghuannn/ChainHOI",
        ),
        # 2503.17966: \url{...}
        (
            r"publicly available at \url{https://github.com/lwCVer/RRSHID}.",
            "https://github.com/lwCVer/RRSHID",
        ),
        # 2503.23077: a footnote
        (
            r"in this vibrant field\footnote{https://github.com/yueliu1999/Awesome-Efficient-Inference-for-LRMs}.",
            "https://github.com/yueliu1999/Awesome-Efficient-Inference-for-LRMs",
        ),
        # 2503.15888: inside math, with \text
        (
            r"available at: $\href{https://github.com/byronBBL/CK-PLUG}{\text{this https URL}}$.",
            "https://github.com/byronBBL/CK-PLUG",
        ),
        # 2503.17057: LaTeX-escaped underscores
        (
            r"codes are publicly available on https://github.com/13204942/SSL\_Cervical\_Segmentation.",
            "https://github.com/13204942/SSL_Cervical_Segmentation",
        ),
        # 2503.12559 and 2503.12527: clone URLs, with and without a full stop after them
        (
            "https://github.com/SCZwangxiao/video-FlexReduc.git.",
            "https://github.com/SCZwangxiao/video-FlexReduc",
        ),
        (r"\href{https://github.com/yiyscut/VIO-IPNet.git}{here}", "https://github.com/yiyscut/VIO-IPNet"),
        # 2503.18382: in brackets straight after a word
        ("PaddleOCR(https://github.com/PaddlePaddle/PaddleOCR)", "https://github.com/PaddlePaddle/PaddleOCR"),
        ("(https://github.com/Project-AgML/AgML),", "https://github.com/Project-AgML/AgML"),
        # 2503.16983: a deep link into a branch, over http
        (
            "http://github.com/PaddlePaddle/PaddleMIX/tree/develop/ppdiffusers/examples/ppvctrl.",
            "https://github.com/PaddlePaddle/PaddleMIX",
        ),
        # 2503.19730: without a scheme, and with www.
        ("at github.com/zhoustan/CamSAM2 now", "https://github.com/zhoustan/CamSAM2"),
        ("see www.github.com/a-b/c_d;", "https://github.com/a-b/c_d"),
        ("on GitHub.com/Org/Repo!", "https://github.com/Org/Repo"),
        # 2511.03416, 2505.09858: GitLab's nested groups, up to its /-/ separator
        (
            "https://gitlab.com/radiology/prenatal-image-analysis/pca-3d-alignment.",
            "https://gitlab.com/radiology/prenatal-image-analysis/pca-3d-alignment",
        ),
        (
            "https://gitlab.com/nct_tso_public/surgvgen/-/tree/main",
            "https://gitlab.com/nct_tso_public/surgvgen",
        ),
        ("https://codeberg.org/owner/tool", "https://codeberg.org/owner/tool"),
    ],
)
def test_code_link(text, link):
    assert code_link(text) == link


@pytest.mark.parametrize(
    "text",
    [
        "No code here.",
        "https://github.com/MiniMax-AI.",  # 2505.18129: an organisation's page
        "The code is available at https://github.com/SAI-",  # 2503.21854: cut short
        "https://github.com/.",  # 2505.21099
        "https://yueliu1999.github.io/project/",  # a project page on github.io
        "https://huggingface.co/spaces/owner/demo and https://huggingface.co/datasets/o/d",
        "https://github.com/topics/diffusion",  # GitHub's own pages
        "https://notgithub.com/a/b",
        "https://github.com/" + "a" * 150 + "/b",
    ],
)
def test_no_code_link(text):
    assert code_link(text) is None


def test_the_first_repository_wins_and_the_comment_is_read_after_the_abstract():
    text = "https://github.com/zxk688. Our code: https://github.com/zxk688/repo and https://github.com/x/y"
    assert code_link(text) == "https://github.com/zxk688/repo"
    assert (
        code_link("We build on a model.", "Accepted at X. Code: https://github.com/o/r")
        == "https://github.com/o/r"
    )
    assert code_link("https://github.com/a/b", "https://github.com/c/d") == "https://github.com/a/b"
    assert code_link(None, "") is None


def test_github_repo():
    assert github_repo("https://github.com/Megum1/Co-Spy") == "Megum1/Co-Spy"
    assert github_repo("https://gitlab.com/a/b") is None
    assert github_repo(None) is None


def test_papers_get_their_code_link_unless_the_source_gives_one():
    paper = make_paper(
        id="2503.18286",
        title="T",
        source="s",
        abstract="Code is at\nhttps://github.com/Megum1/Co-Spy.",
        links=Links(abstract="https://arxiv.org/abs/2503.18286"),
    )
    assert paper.links.code == "https://github.com/Megum1/Co-Spy"
    assert paper.links.abstract == "https://arxiv.org/abs/2503.18286"
    from_comment = make_paper(id="1", title="T", source="s", comment="Code: github.com/o/r")
    assert from_comment.links.code == "https://github.com/o/r"
    given = make_paper(
        id="2",
        title="T",
        source="s",
        abstract="https://github.com/o/r",
        links=Links(code="https://github.com/x/y"),
    )
    assert given.links.code == "https://github.com/x/y"
    assert make_paper(id="3", title="T", source="s", abstract="plain").links.code is None
