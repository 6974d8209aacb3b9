"""Warm kernels: ipykernels forked from a process that has already imported TensorFlow and Keras.

The course's ``python3`` kernelspec names :class:`helpers.kernels.provisioner.WarmProvisioner`
in its ``metadata.kernel_provisioner`` (``python -m helpers.kernels`` writes it; ``make install``
runs that), so JupyterLab, nbclient and nbval start kernels through it. Set
``COURSE_WARM_KERNELS=0`` for cold kernels. Importing this package imports neither TensorFlow
nor jupyter_client.

>>> PROVISIONER_NAME
'course-warm-provisioner'
"""

PROVISIONER_NAME = "course-warm-provisioner"
