"""Small pieces shared by the domain apps that belong to none of them."""
