from wagtail import hooks

from .library import find_practices

# The practice library lists its matches through search's query layer (see
# practice_library.selectors), without importing search.
hooks.register("find_practices", find_practices)
