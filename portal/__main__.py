"""Command line: ``python -m portal <command>`` (a thin layer over the services).

Examples:
    python -m portal init-db
    python -m portal load-demo
    python -m portal create-user --org "贵州省大数据发展管理局" --username admin --display-name 管理员
"""

from portal.cli import main

raise SystemExit(main())
