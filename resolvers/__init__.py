from resolvers.lean_imports import defer_package_inits

# Before any module of the package imports Powertools (resolvers/lean_imports.py says why).
defer_package_inits()
